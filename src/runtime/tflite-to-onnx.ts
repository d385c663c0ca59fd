// Converts a TFLite graph (./tflite.ts) to ONNX (./onnx-proto.ts) for onnxruntime, with a free batch
// dimension: the graph input's leading dimension becomes "batch", and every tensor that TFLite holds
// without a batch dimension (a single-example front end) gets one prepended, so one run answers many
// examples. Convolutions and pooling run on NCHW: a 4-D activation changes from TFLite's NHWC when one
// of them needs it and stays NCHW through the ops that can follow it there (elementwise ops, pads,
// reductions, concatenations and transposes with their axes mapped); ops that cannot (reshapes,
// squeezing slices, graph outputs) get it back as NHWC. float16 and int8 weights are widened to
// float32; with `hybridActivations` the inputs of int8-weight layers are rounded as TFLite's hybrid
// kernels round them, so results match the TFLite file. Covers the builtin operators of convolutional
// audio and image models and of MediaPipe's face mesh and blendshape networks; any other operator is
// an error naming it.

import type { OnnxAttribute, OnnxGraph, OnnxInitializer, OnnxNode } from "./onnx-proto.js";
import { constantFloats, constantInts, TfliteType, type TfliteGraph, type TfliteOperator, type TfliteTensor } from "./tflite.js";

/** TFLite BuiltinOperator codes handled here. */
const Op = {
  add: 0, concatenation: 2, conv2d: 3, depthwiseConv2d: 4, dequantize: 6, fullyConnected: 9, logistic: 14, maxPool2d: 17,
  mul: 18, relu: 19, relu6: 21, reshape: 22, pad: 34, gather: 36, transpose: 39, mean: 40, sub: 41, div: 42,
  stridedSlice: 45, prelu: 54, neg: 59, slice: 65, log: 73, sum: 74, sqrt: 75, rsqrt: 76, squaredDifference: 99,
} as const;

/** Elementwise operators with two operands (broadcasting) and a fused activation, by their ONNX op. */
const BINARY: Readonly<Record<number, string>> = { [Op.add]: "Add", [Op.sub]: "Sub", [Op.mul]: "Mul", [Op.div]: "Div" };
const UNARY: Readonly<Record<number, string>> = { [Op.log]: "Log", [Op.sqrt]: "Sqrt", [Op.logistic]: "Sigmoid", [Op.relu]: "Relu", [Op.neg]: "Neg" };

/** Fused activation functions (ActivationFunctionType). */
const Activation = { none: 0, relu: 1, relu6: 3 } as const;

// Option field indices (schema.fbs).
const CONV = { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 };
const DEPTHWISE = { padding: 0, strideW: 1, strideH: 2, multiplier: 3, activation: 4, dilationW: 5, dilationH: 6 };
const POOL = { padding: 0, strideW: 1, strideH: 2, filterW: 3, filterH: 4, activation: 5 };
const FULLY_CONNECTED = { activation: 0, asymmetricInputs: 3 };
const ELEMENTWISE = { activation: 0 };
const CONCATENATION = { axis: 0, activation: 1 };
const GATHER = { axis: 0 };
const REDUCER = { keepDims: 0 };
const STRIDED_SLICE = { beginMask: 0, endMask: 1, ellipsisMask: 2, newAxisMask: 3, shrinkAxisMask: 4 };
const PADDING_SAME = 0;

/** NHWC axis → NCHW axis. */
const NCHW_AXIS = [0, 2, 3, 1];
/** NCHW axis → NHWC axis. */
const NHWC_AXIS = [0, 3, 1, 2];
/** An end past any axis: ONNX Slice clamps it. */
const UNBOUNDED = 2 ** 31 - 1;

export interface ConversionOptions {
  /** Round the inputs of int8-weight ops as TFLite's hybrid kernels do (outputs match the TFLite file). */
  hybridActivations?: boolean;
  /** ONNX names for the graph's input and outputs, keyed by TFLite tensor name; unnamed ones keep theirs. */
  names?: Record<string, string>;
  /** Extra outputs: ONNX name → TFLite tensor name of an intermediate tensor (e.g. an embedding). */
  extraOutputs?: Record<string, string>;
}

interface Value {
  name: string;
  /** The ONNX shape after the batch dimension. */
  inner: number[];
  /** True for 4-D activations held as NCHW; false: TFLite's own axis order. */
  nchw: boolean;
}

/** NHWC data [h, w, c] (a leading batch of 1 allowed) → NCHW order [c, h, w]. */
function nhwcToNchw(data: Float32Array, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[(k * h + y) * w + x] = data[(y * w + x) * c + k]!;
  return out;
}

class Converter {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxInitializer[] = [];
  private readonly values = new Map<number, Value>();
  /** Constants produced by DEQUANTIZE, by tensor index. */
  private readonly folded = new Map<number, Float32Array>();
  /** Layout changes already made, by source name and target layout: a value feeding many ops changes once. */
  private readonly relaid = new Map<string, Value>();
  private counter = 0;

  constructor(private readonly graph: TfliteGraph, private readonly options: ConversionOptions) {}

  private tensor(index: number): TfliteTensor {
    return this.graph.tensors[index]!;
  }

  private nameOf(index: number): string {
    return this.options.names?.[this.tensor(index).name] ?? `t${index}`;
  }

  private fresh(stem: string): string {
    return `${stem}_${this.counter++}`;
  }

  private floats(index: number): Float32Array {
    return this.folded.get(index) ?? constantFloats(this.tensor(index));
  }

  private initializer(stem: string, dims: number[], data: Float32Array | BigInt64Array): string {
    const name = this.fresh(stem);
    this.initializers.push({ name, dims, data });
    return name;
  }

  private int64s(stem: string, values: number[]): string {
    return this.initializer(stem, [values.length], BigInt64Array.from(values, BigInt));
  }

  private node(op: string, inputs: string[], attributes?: Record<string, OnnxAttribute>, output = this.fresh(op)): string {
    this.nodes.push({ op, inputs, outputs: [output], ...(attributes === undefined ? {} : { attributes }) });
    return output;
  }

  private input(index: number): Value {
    const value = this.values.get(index);
    if (value === undefined) throw new Error(`tensor ${this.tensor(index).name} is used before it is computed`);
    return value;
  }

  /**
   * A constant operand of an elementwise op, shaped to broadcast against activations held as NCHW or in
   * TFLite's order: for NCHW, padded to four NHWC dimensions and transposed ([c] → [1, c, 1, 1]).
   */
  private constant(index: number, nchw: boolean): string {
    const { shape, name } = this.tensor(index);
    if (!nchw || shape.length === 0) return this.initializer("const", shape, this.floats(index));
    const [n, h, w, c] = [1, 1, 1, 1, ...shape].slice(-4) as [number, number, number, number];
    if (n !== 1 || shape.length > 4) throw new Error(`constant ${name}: shape ${shape} cannot broadcast against NCHW activations`);
    return this.initializer("const", [1, c, h, w], nhwcToNchw(this.floats(index), h, w, c));
  }

  private readonly activations: Readonly<Record<number, (name: string) => string>> = {
    [Activation.none]: (name) => name,
    [Activation.relu]: (name) => this.node("Relu", [name]),
    [Activation.relu6]: (name) => this.node("Clip", [name, this.initializer("min", [], Float32Array.of(0)), this.initializer("max", [], Float32Array.of(6))]),
  };

  private activate(name: string, code: number): string {
    const activation = this.activations[code];
    if (activation === undefined) throw new Error(`fused activation ${code} is not supported`);
    return activation(name);
  }

  /** Records TFLite tensor `index` as ONNX value `name`: its shape is the tensor's, less the batch axis when `batched`, in NCHW order when `nchw`. */
  private emit(index: number, name: string, batched: boolean, nchw: boolean): void {
    const { shape } = this.tensor(index);
    const inner = batched ? shape.slice(1) : shape;
    this.values.set(index, { name, inner: nchw ? [inner[2]!, inner[0]!, inner[1]!] : inner, nchw });
  }

  /** True when the ONNX value's first axis is TFLite tensor `index`'s own (batch) axis, false when TFLite holds it without one. */
  private batched(index: number, value: Value): boolean {
    return this.tensor(index).shape.length === value.inner.length + 1;
  }

  /** The ONNX axis of TFLite axis `axis` (negative: from the end) of tensor `index` held as `value`. */
  private axis(index: number, value: Value, axis: number): number {
    const rank = this.tensor(index).shape.length;
    const a = axis < 0 ? axis + rank : axis;
    return value.nchw ? NCHW_AXIS[a]! : this.batched(index, value) ? a : a + 1;
  }

  private relayout(value: Value, nchw: boolean, make: () => Value): Value {
    const key = `${value.name}:${nchw}`;
    if (!this.relaid.has(key)) this.relaid.set(key, make());
    return this.relaid.get(key)!;
  }

  /** A 4-D TFLite-order (NHWC) activation as NCHW. */
  private asNchw(value: Value): Value {
    if (value.nchw) return value;
    if (value.inner.length !== 3) throw new Error(`a ${value.inner.length + 1}-D activation cannot be held as NCHW`);
    const [h, w, c] = value.inner as [number, number, number];
    return this.relayout(value, true, () => ({
      // With one channel NHWC and NCHW hold the same bytes: a reshape is enough.
      name: c === 1 ? this.node("Reshape", [value.name, this.int64s("shape", [-1, 1, h, w])]) : this.node("Transpose", [value.name], { perm: [0, 3, 1, 2] }),
      inner: [c, h, w],
      nchw: true,
    }));
  }

  /** An activation in TFLite's axis order. */
  private asTflite(value: Value): Value {
    if (!value.nchw) return value;
    const [c, h, w] = value.inner as [number, number, number];
    return this.relayout(value, false, () => ({ name: this.node("Transpose", [value.name], { perm: [0, 2, 3, 1] }), inner: [h, w, c], nchw: false }));
  }

  convert(operator: TfliteOperator): void {
    const handler = this.handlers[operator.code];
    if (handler === undefined) throw new Error(`TFLite builtin operator ${operator.code} is not supported by the converter`);
    handler(operator);
  }

  private readonly handlers: Readonly<Record<number, (op: TfliteOperator) => void>> = {
    [Op.dequantize]: (op) => {
      this.folded.set(op.outputs[0]!, constantFloats(this.tensor(op.inputs[0]!)));
    },
    ...Object.fromEntries(Object.entries(BINARY).map(([code, onnxOp]) => [code, (op: TfliteOperator) => this.binary(op, onnxOp)])),
    ...Object.fromEntries(Object.entries(UNARY).map(([code, onnxOp]) => [code, (op: TfliteOperator) => this.unary(op, (x) => this.node(onnxOp, [x]))])),
    [Op.rsqrt]: (op) => this.unary(op, (x) => this.node("Reciprocal", [this.node("Sqrt", [x])])),
    [Op.relu6]: (op) => this.unary(op, (x) => this.activate(x, Activation.relu6)),
    [Op.squaredDifference]: (op) => this.binary(op, "Sub", (d) => this.node("Mul", [d, d])),
    [Op.prelu]: (op) => {
      // alpha · x + (1 − alpha) · max(x, 0), both slopes as depthwise 1×1 convolutions: exactly PRelu, and
      // about 3× faster in onnxruntime, whose PRelu broadcasts a per-channel slope slowly and keeps the
      // convolutions around it out of their blocked (NCHWc) layout (one ReLU fewer than max(x, 0) − alpha · max(−x, 0)).
      const x = this.asNchw(this.input(op.inputs[0]!));
      const alpha = this.floats(op.inputs[1]!);
      const channels = x.inner[0]!;
      if (alpha.length !== channels || this.tensor(op.inputs[1]!).shape.at(-1) !== channels) throw new Error("PRELU is supported with one slope per channel");
      const depthwise = (input: string, weights: Float32Array) =>
        this.node("Conv", [input, this.initializer("kernel", [channels, 1, 1, 1], weights)], { group: channels, kernel_shape: [1, 1] });
      const out = this.node("Add", [depthwise(x.name, alpha), depthwise(this.node("Relu", [x.name]), alpha.map((a) => 1 - a))]);
      this.emit(op.outputs[0]!, out, true, true);
    },
    [Op.reshape]: (op) => this.reshape(op),
    [Op.transpose]: (op) => this.transpose(op),
    [Op.concatenation]: (op) => this.concatenation(op),
    [Op.mean]: (op) => this.reduce(op, "ReduceMean"),
    [Op.sum]: (op) => this.reduce(op, "ReduceSum"),
    [Op.slice]: (op) => {
      const begin = constantInts(this.tensor(op.inputs[1]!));
      const size = constantInts(this.tensor(op.inputs[2]!));
      this.slice(op, begin, begin.map((b, i) => (size[i] === -1 ? UNBOUNDED : b + size[i]!)), begin.map(() => 1), 0);
    },
    [Op.stridedSlice]: (op) => {
      for (const mask of [STRIDED_SLICE.ellipsisMask, STRIDED_SLICE.newAxisMask]) {
        if (op.options.int(mask, 0) !== 0) throw new Error("STRIDED_SLICE with ellipsis or new-axis masks is not supported");
      }
      const strides = constantInts(this.tensor(op.inputs[3]!));
      const beginMask = op.options.int(STRIDED_SLICE.beginMask, 0);
      const endMask = op.options.int(STRIDED_SLICE.endMask, 0);
      const shrink = op.options.int(STRIDED_SLICE.shrinkAxisMask, 0);
      const begin = constantInts(this.tensor(op.inputs[1]!)).map((b, i) => ((beginMask >> i) & 1 ? (strides[i]! > 0 ? 0 : UNBOUNDED) : b));
      // A shrunk axis keeps the one element at its begin (TFLite ignores its end and end mask).
      const end = constantInts(this.tensor(op.inputs[2]!)).map((e, i) => ((shrink >> i) & 1 ? (begin[i] === -1 ? UNBOUNDED : begin[i]! + 1)
        : (endMask >> i) & 1 ? (strides[i]! > 0 ? UNBOUNDED : -UNBOUNDED) : e));
      this.slice(op, begin, end, strides, shrink);
    },
    [Op.gather]: (op) => {
      const x = this.asTflite(this.input(op.inputs[0]!));
      const indices = this.tensor(op.inputs[1]!);
      const axis = this.axis(op.inputs[0]!, x, op.options.int(GATHER.axis, 0));
      if (axis === 0) throw new Error("GATHER along the batch axis is not supported");
      const out = this.node("Gather", [x.name, this.initializer("indices", indices.shape, BigInt64Array.from(constantInts(indices), BigInt))], { axis });
      this.emit(op.outputs[0]!, out, this.batched(op.inputs[0]!, x), false);
    },
    [Op.pad]: (op) => {
      const x = this.input(op.inputs[0]!);
      const pads = constantInts(this.tensor(op.inputs[1]!));
      const before = new Array<number>(x.inner.length + 1).fill(0);
      const after = [...before];
      for (let i = 0; i < pads.length / 2; i++) {
        const axis = this.axis(op.inputs[0]!, x, i);
        before[axis] = pads[2 * i]!;
        after[axis] = pads[2 * i + 1]!;
      }
      if (before[0] !== 0 || after[0] !== 0) throw new Error("PAD of the batch axis is not supported");
      const out = this.node("Pad", [x.name, this.int64s("pads", [...before, ...after])]);
      this.emit(op.outputs[0]!, out, this.batched(op.inputs[0]!, x), x.nchw);
    },
    [Op.fullyConnected]: (op) => {
      const x = this.input(op.inputs[0]!);
      const weights = this.tensor(op.inputs[1]!);
      const [units, depth] = weights.shape as [number, number];
      if (x.nchw || x.inner[x.inner.length - 1] !== depth) throw new Error(`FULLY_CONNECTED ${weights.name}: input depth ${x.inner.at(-1)} is not ${depth}`);
      const w = this.floats(op.inputs[1]!);
      const transposed = new Float32Array(w.length);
      for (let u = 0; u < units; u++) for (let d = 0; d < depth; d++) transposed[d * units + u] = w[u * depth + d]!;
      // Hybrid kernels quantise each input row: symmetric, or asymmetric when the op asks for it.
      const input = this.hybridInput(op.inputs[1]!, x.name, [-1], op.options.byte(FULLY_CONNECTED.asymmetricInputs, 0) !== 0);
      let out = this.node("MatMul", [input, this.initializer("weights", [depth, units], transposed)]);
      const bias = op.inputs[2];
      if (bias !== undefined && bias >= 0) out = this.node("Add", [out, this.initializer("bias", [units], this.floats(bias))]);
      out = this.activate(out, op.options.byte(FULLY_CONNECTED.activation, 0));
      this.emit(op.outputs[0]!, out, this.batched(op.inputs[0]!, x), false);
    },
    [Op.conv2d]: (op) => {
      const weights = this.tensor(op.inputs[1]!);
      const [out, kh, kw, inC] = weights.shape as [number, number, number, number];
      this.conv(op, CONV, this.toOihw(this.floats(op.inputs[1]!), out, kh, kw, inC), [out, inC, kh, kw], 1);
    },
    [Op.depthwiseConv2d]: (op) => {
      const weights = this.tensor(op.inputs[1]!);
      const [, kh, kw, channels] = weights.shape as [number, number, number, number];
      const inC = this.tensor(op.inputs[0]!).shape[3];
      if (op.options.int(DEPTHWISE.multiplier, 1) !== 1 && channels !== inC) throw new Error("depthwise multipliers other than 1 are not supported");
      this.conv(op, DEPTHWISE, this.toOihw(this.floats(op.inputs[1]!), 1, kh, kw, channels, true), [channels, 1, kh, kw], channels);
    },
    [Op.maxPool2d]: (op) => {
      const x = this.asNchw(this.input(op.inputs[0]!));
      const same = op.options.byte(POOL.padding, PADDING_SAME) === PADDING_SAME;
      // Padded cells never win a max, as in TFLite's SAME pooling.
      const out = this.node("MaxPool", [x.name], {
        kernel_shape: [op.options.int(POOL.filterH, 1), op.options.int(POOL.filterW, 1)],
        strides: [op.options.int(POOL.strideH, 1), op.options.int(POOL.strideW, 1)],
        auto_pad: same ? "SAME_UPPER" : "VALID",
      });
      this.emit(op.outputs[0]!, this.activate(out, op.options.byte(POOL.activation, 0)), true, true);
    },
  };

  /** Two operands, activations or constants, broadcast; 4-D activations meet in NCHW when either is held so. */
  private binary(op: TfliteOperator, onnxOp: string, then: (name: string) => string = (name) => name): void {
    const activations = op.inputs.filter((i) => this.values.has(i));
    const nchw = activations.some((i) => this.input(i).nchw);
    const operand = (i: number) => (this.values.has(i) ? (nchw ? this.asNchw(this.input(i)) : this.input(i)).name : this.constant(i, nchw));
    // The output keeps the batch axis of its highest-rank activation.
    const [lead] = activations.sort((a, b) => this.tensor(b).shape.length - this.tensor(a).shape.length) as [number];
    if (this.tensor(op.outputs[0]!).shape.length > this.tensor(lead).shape.length) throw new Error(`${onnxOp}: a constant of higher rank than the activation is not supported`);
    const out = this.activate(then(this.node(onnxOp, op.inputs.map(operand))), op.options.byte(ELEMENTWISE.activation, 0));
    this.emit(op.outputs[0]!, out, this.batched(lead, this.input(lead)), nchw);
  }

  private unary(op: TfliteOperator, apply: (name: string) => string): void {
    const x = this.input(op.inputs[0]!);
    this.emit(op.outputs[0]!, apply(x.name), this.batched(op.inputs[0]!, x), x.nchw);
  }

  private reshape(op: TfliteOperator): void {
    const x = this.asTflite(this.input(op.inputs[0]!));
    const target = this.tensor(op.outputs[0]!).shape;
    // A leading 1 is the batch axis in 4-D targets and where the input has one ([1, 1, 1, 52] → [1, 52]); other
    // targets are batch-free (a single-example front end: [1, n] → [n]).
    const batched = target[0] === 1 && (target.length === 4 || this.batched(op.inputs[0]!, x));
    const out = this.node("Reshape", [x.name, this.int64s("shape", [-1, ...(batched ? target.slice(1) : target)])]);
    this.emit(op.outputs[0]!, out, batched, false);
  }

  private transpose(op: TfliteOperator): void {
    const x = this.input(op.inputs[0]!);
    const perm = constantInts(this.tensor(op.inputs[1]!));
    const batched = this.batched(op.inputs[0]!, x);
    if (batched && perm[0] !== 0) throw new Error("TRANSPOSE that moves the batch axis is not supported");
    // Held as NCHW, output axis i is NHWC output axis NHWC_AXIS[i], which is NHWC input axis perm[NHWC_AXIS[i]].
    const onnxPerm = x.nchw ? NHWC_AXIS.map((a) => NCHW_AXIS[perm[a]!]!) : batched ? perm : [0, ...perm.map((p) => p + 1)];
    this.emit(op.outputs[0]!, this.node("Transpose", [x.name], { perm: onnxPerm }), batched, x.nchw);
  }

  private concatenation(op: TfliteOperator): void {
    const activations = op.inputs.filter((i) => this.values.has(i));
    const nchw = activations.some((i) => this.input(i).nchw);
    const [lead] = activations as [number];
    const like = nchw ? this.asNchw(this.input(lead)) : this.input(lead);
    if (!this.batched(lead, like)) throw new Error("CONCATENATION of batch-free tensors is not supported");
    const inputs = op.inputs.map((i) => (this.values.has(i) ? (nchw ? this.asNchw(this.input(i)) : this.input(i)).name : this.batchedConstant(i, nchw, like.name)));
    const out = this.node("Concat", inputs, { axis: this.axis(lead, like, op.options.int(CONCATENATION.axis, 0)) });
    this.emit(op.outputs[0]!, this.activate(out, op.options.byte(CONCATENATION.activation, 0)), true, nchw);
  }

  /** A constant with a batch axis of 1, repeated to the batch of `like` (Concat does not broadcast). */
  private batchedConstant(index: number, nchw: boolean, like: string): string {
    const rank = this.tensor(index).shape.length;
    const batch = this.node("Slice", [this.node("Shape", [like]), this.int64s("start", [0]), this.int64s("end", [1])]);
    const shape = this.node("Concat", [batch, this.int64s("ones", new Array<number>(rank - 1).fill(1))], { axis: 0 });
    return this.node("Expand", [this.constant(index, nchw), shape]);
  }

  private reduce(op: TfliteOperator, onnxOp: string): void {
    let x = this.input(op.inputs[0]!);
    const rank = this.tensor(op.inputs[0]!).shape.length;
    const axes = constantInts(this.tensor(op.inputs[1]!)).map((a) => (a < 0 ? a + rank : a));
    const keep = op.options.byte(REDUCER.keepDims, 0) !== 0;
    const batched = this.batched(op.inputs[0]!, x);
    if (batched && axes.includes(0)) throw new Error(`${onnxOp} over the batch axis is not supported`);
    // Without keep_dims, NCHW leaves the remaining axes in TFLite's order only when their NCHW axes are increasing.
    const remaining = [1, 2, 3].filter((a) => !axes.includes(a)).map((a) => NCHW_AXIS[a]!);
    if (x.nchw && !keep && remaining.some((a, i) => i > 0 && a < remaining[i - 1]!)) x = this.asTflite(x);
    const onnxAxes = axes.map((a) => this.axis(op.inputs[0]!, x, a));
    const keepdims = keep ? 1 : 0;
    // ReduceSum takes its axes as an input from opset 13, the others as an attribute until opset 18.
    const out = onnxOp === "ReduceSum" ? this.node(onnxOp, [x.name, this.int64s("axes", onnxAxes)], { keepdims }) : this.node(onnxOp, [x.name], { axes: onnxAxes, keepdims });
    this.emit(op.outputs[0]!, out, batched, x.nchw && keep);
  }

  /** SLICE and STRIDED_SLICE: per-axis begin, end, step in TFLite's axes; `shrink` is a mask of axes dropped after. */
  private slice(op: TfliteOperator, begin: number[], end: number[], steps: number[], shrink: number): void {
    const source = this.input(op.inputs[0]!);
    // Dropping axes of an NCHW value would leave the rest out of TFLite's order.
    const x = shrink !== 0 ? this.asTflite(source) : source;
    const batched = this.batched(op.inputs[0]!, x);
    const axes = begin.map((_, i) => this.axis(op.inputs[0]!, x, i));
    const sliced = axes.map((_, i) => i).filter((i) => axes[i] !== 0); // the batch axis itself is never sliced
    const pick = (values: number[]) => this.int64s("slice", sliced.map((i) => values[i]!));
    let out = this.node("Slice", [x.name, pick(begin), pick(end), pick(axes), pick(steps)]);
    const squeezed = sliced.filter((i) => (shrink >> i) & 1).map((i) => axes[i]!);
    if (squeezed.length > 0) out = this.node("Squeeze", [out, this.int64s("axes", squeezed)]);
    // Shrinking TFLite's batch axis leaves a tensor that TFLite holds without one.
    this.emit(op.outputs[0]!, out, batched && (shrink & 1) === 0, x.nchw);
  }

  /**
   * The input as a hybrid (int8-weight) kernel sees it: TFLite quantises float activations to int8 on the
   * fly, per example over `axes` (tensor_utils::SymmetricQuantizeFloats / AsymmetricQuantizeFloats).
   * Emulating that rounding keeps the converted graph's outputs equal to the TFLite file's; float-weight
   * ops see their input unchanged.
   */
  private hybridInput(weights: number, x: string, axes: number[], asymmetric: boolean): string {
    if (!this.options.hybridActivations || this.tensor(weights).type !== TfliteType.int8) return x;
    const tiny = this.initializer("tiny", [], Float32Array.of(1e-30));
    if (!asymmetric) {
      const range = this.node("ReduceMax", [this.node("Abs", [x])], { axes, keepdims: 1 });
      const scale = this.node("Max", [this.node("Div", [range, this.initializer("levels", [], Float32Array.of(127))]), tiny]);
      return this.node("Mul", [this.node("Round", [this.node("Div", [x, scale])]), scale]);
    }
    const zero = this.initializer("zero", [], Float32Array.of(0));
    const qmin = this.initializer("qmin", [], Float32Array.of(-128));
    const low = this.node("Min", [this.node("ReduceMin", [x], { axes, keepdims: 1 }), zero]);
    const high = this.node("Max", [this.node("ReduceMax", [x], { axes, keepdims: 1 }), zero]);
    const scale = this.node("Max", [this.node("Div", [this.node("Sub", [high, low]), this.initializer("levels", [], Float32Array.of(255))]), tiny]);
    const zeroPoint = this.node("Round", [this.node("Sub", [qmin, this.node("Div", [low, scale])])]);
    const quantised = this.node("Clip", [this.node("Add", [this.node("Round", [this.node("Div", [x, scale])]), zeroPoint]),
      qmin, this.initializer("qmax", [], Float32Array.of(127))]);
    return this.node("Mul", [this.node("Sub", [quantised, zeroPoint]), scale]);
  }

  /** TFLite conv weights [O, KH, KW, I] (depthwise: [1, KH, KW, C]) → ONNX [O, I, KH, KW] ([C, 1, KH, KW]). */
  private toOihw(w: Float32Array, out: number, kh: number, kw: number, inC: number, depthwise = false): Float32Array {
    if (depthwise) return nhwcToNchw(w, kh, kw, inC);
    const result = new Float32Array(w.length);
    for (let o = 0; o < out; o++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < inC; i++) {
      result[((o * inC + i) * kh + y) * kw + x] = w[((o * kh + y) * kw + x) * inC + i]!;
    }
    return result;
  }

  private conv(op: TfliteOperator, fields: typeof CONV | typeof DEPTHWISE, weights: Float32Array, dims: number[], group: number): void {
    const x = this.asNchw(this.input(op.inputs[0]!));
    const strides = [op.options.int(fields.strideH, 1), op.options.int(fields.strideW, 1)];
    const dilations = [op.options.int(fields.dilationH, 1), op.options.int(fields.dilationW, 1)];
    const same = op.options.byte(fields.padding, PADDING_SAME) === PADDING_SAME;
    // Hybrid convolutions quantise each example: asymmetric with per-channel weights, else symmetric.
    const perChannel = (this.tensor(op.inputs[1]!).quantization?.scale.length ?? 0) > 1;
    const inputs = [this.hybridInput(op.inputs[1]!, x.name, [1, 2, 3], perChannel), this.initializer("kernel", dims, weights)];
    const bias = op.inputs[2];
    if (bias !== undefined && bias >= 0) inputs.push(this.initializer("bias", [dims[0]!], this.floats(bias)));
    // TensorFlow's SAME puts the odd padding pixel at the end, which is ONNX's SAME_UPPER.
    const out = this.activate(this.node("Conv", inputs, { strides, dilations, group, kernel_shape: dims.slice(2), auto_pad: same ? "SAME_UPPER" : "VALID" }),
      op.options.byte(fields.activation, 0));
    this.emit(op.outputs[0]!, out, true, true);
  }

  run(): OnnxGraph {
    const { options } = this;
    const [input] = this.graph.inputs as [number];
    const inputTensor = this.tensor(input);
    if (this.graph.inputs.length !== 1 || inputTensor.shape[0] !== 1 || inputTensor.type !== TfliteType.float32) {
      throw new Error("the converter takes graphs with one float32 input whose first dimension is the batch (1)");
    }
    const inputName = this.nameOf(input);
    // The graph input keeps TFLite's axis order (images NHWC).
    this.emit(input, inputName, true, false);
    for (const operator of this.graph.operators) this.convert(operator);
    const outputs = this.graph.outputs.map((index) => ({ name: this.nameOf(index), value: this.input(index) }));
    for (const [name, tensorName] of Object.entries(options.extraOutputs ?? {})) {
      const index = this.graph.tensors.findIndex((t) => t.name === tensorName);
      if (index < 0) throw new Error(`no tensor named ${tensorName}`);
      outputs.push({ name, value: this.input(index) });
    }
    // Outputs take their public names, and TFLite's axis order, through Identity nodes, so a named tensor may also feed others.
    const published = outputs.map(({ name, value }) => ({ name, value: this.asTflite(value) }));
    for (const { name, value } of published) this.node("Identity", [value.name], undefined, name);
    return {
      name: "converted",
      opset: 13,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: [{ name: inputName, dims: ["batch", ...inputTensor.shape.slice(1)] }],
      outputs: published.map(({ name, value }) => ({ name, dims: ["batch", ...value.inner] })),
    };
  }
}

/** The ONNX graph equivalent to a TFLite graph, batch dimension free. */
export function tfliteToOnnx(graph: TfliteGraph, options: ConversionOptions = {}): OnnxGraph {
  return new Converter(graph, options).run();
}
