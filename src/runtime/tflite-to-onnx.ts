// Converts a TFLite graph (./tflite.ts) to ONNX (./onnx-proto.ts) for onnxruntime, with a free batch
// dimension: the graph input's leading dimension becomes "batch", and every tensor that TFLite holds
// without a batch dimension (a single-example front end) gets one prepended, so one run answers many
// examples. Four-dimensional activations change from TFLite's NHWC to ONNX's NCHW. int8 weights
// (dynamic-range quantisation) are dequantised to float32; with `hybridActivations` the inputs of those
// layers are rounded as TFLite's hybrid kernels round them, so results match the TFLite file. Covers
// the builtin operators that convolutional audio and image classifiers use; any other operator is an
// error naming it.

import type { OnnxAttribute, OnnxGraph, OnnxInitializer, OnnxNode } from "./onnx-proto.js";
import { constantFloats, constantInts, TfliteType, type TfliteGraph, type TfliteOperator, type TfliteTensor } from "./tflite.js";

/** TFLite BuiltinOperator codes handled here. */
const Op = {
  add: 0, conv2d: 3, depthwiseConv2d: 4, dequantize: 6, fullyConnected: 9, logistic: 14, mul: 18, relu: 19, relu6: 21,
  reshape: 22, pad: 34, gather: 36, mean: 40, stridedSlice: 45, slice: 65, log: 73, sqrt: 75,
} as const;

/** Fused activation functions (ActivationFunctionType). */
const Activation = { none: 0, relu: 1, relu6: 3 } as const;

// Option field indices (schema.fbs).
const CONV = { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 };
const DEPTHWISE = { padding: 0, strideW: 1, strideH: 2, multiplier: 3, activation: 4, dilationW: 5, dilationH: 6 };
const FULLY_CONNECTED = { activation: 0, asymmetricInputs: 3 };
const ELEMENTWISE = { activation: 0 };
const GATHER = { axis: 0 };
const REDUCER = { keepDims: 0 };
const STRIDED_SLICE = { beginMask: 0, endMask: 1, ellipsisMask: 2, newAxisMask: 3, shrinkAxisMask: 4 };
const PADDING_SAME = 0;

/** NHWC axis → NCHW axis. */
const NCHW_AXIS = [0, 2, 3, 1];

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
  /** True for 4-D activations, held as NCHW. */
  nchw: boolean;
}

class Converter {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxInitializer[] = [];
  private readonly values = new Map<number, Value>();
  /** Constants produced by DEQUANTIZE, by tensor index. */
  private readonly folded = new Map<number, Float32Array>();
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

  /** A constant operand of an elementwise op, shaped to broadcast against `against`. */
  private operand(index: number, against: Value): string {
    if (this.values.has(index)) return this.values.get(index)!.name;
    const tensor = this.tensor(index);
    if (against.nchw && tensor.shape.length > 1) throw new Error(`constant ${tensor.name}: broadcasting against NCHW activations is not supported`);
    return this.initializer("const", tensor.shape.length === 0 ? [] : tensor.shape, this.floats(index));
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

  private set(index: number, name: string, inner: number[], nchw: boolean): void {
    this.values.set(index, { name, inner, nchw });
  }

  /** The TFLite shape of an activation, without the batch dimension, in TFLite's axis order. */
  private static tfliteInner(value: Value): number[] {
    return value.nchw ? [value.inner[1]!, value.inner[2]!, value.inner[0]!] : value.inner;
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
    [Op.reshape]: (op) => this.reshape(op),
    [Op.slice]: (op) => {
      const x = this.input(op.inputs[0]!);
      const begin = constantInts(this.tensor(op.inputs[1]!));
      const size = constantInts(this.tensor(op.inputs[2]!));
      const full = Converter.tfliteInner(x);
      const offset = this.batchOffset(op.inputs[0]!, x);
      const ends = begin.map((b, i) => (size[i] === -1 ? full[i - offset] ?? 0 : b + size[i]!));
      this.slice(op, x, begin, ends, begin.map(() => 1), offset);
    },
    [Op.stridedSlice]: (op) => {
      const x = this.input(op.inputs[0]!);
      for (const mask of [STRIDED_SLICE.ellipsisMask, STRIDED_SLICE.newAxisMask, STRIDED_SLICE.shrinkAxisMask]) {
        if (op.options.int(mask, 0) !== 0) throw new Error("STRIDED_SLICE with ellipsis, new-axis or shrink masks is not supported");
      }
      const begin = constantInts(this.tensor(op.inputs[1]!));
      const end = constantInts(this.tensor(op.inputs[2]!));
      const strides = constantInts(this.tensor(op.inputs[3]!));
      const beginMask = op.options.int(STRIDED_SLICE.beginMask, 0);
      const endMask = op.options.int(STRIDED_SLICE.endMask, 0);
      const big = 2 ** 31 - 1;
      this.slice(op, x,
        begin.map((b, i) => ((beginMask >> i) & 1 ? (strides[i]! > 0 ? 0 : big) : b)),
        end.map((e, i) => ((endMask >> i) & 1 ? (strides[i]! > 0 ? big : -big) : e)),
        strides, this.batchOffset(op.inputs[0]!, x));
    },
    [Op.gather]: (op) => {
      const x = this.input(op.inputs[0]!);
      if (x.nchw) throw new Error("GATHER on 4-D activations is not supported");
      const indices = this.tensor(op.inputs[1]!);
      const axis = op.options.int(GATHER.axis, 0) + this.batchOffset(op.inputs[0]!, x);
      const out = this.node("Gather", [x.name, this.initializer("indices", indices.shape, BigInt64Array.from(constantInts(indices), BigInt))], { axis });
      const inner = [...x.inner.slice(0, axis - 1), ...indices.shape, ...x.inner.slice(axis)];
      this.set(op.outputs[0]!, out, inner, false);
    },
    [Op.mul]: (op) => this.elementwise(op, "Mul"),
    [Op.add]: (op) => this.elementwise(op, "Add"),
    [Op.log]: (op) => this.unary(op, "Log"),
    [Op.sqrt]: (op) => this.unary(op, "Sqrt"),
    [Op.logistic]: (op) => this.unary(op, "Sigmoid"),
    [Op.relu]: (op) => this.unary(op, "Relu"),
    [Op.relu6]: (op) => {
      const x = this.input(op.inputs[0]!);
      this.set(op.outputs[0]!, this.activate(x.name, Activation.relu6), x.inner, x.nchw);
    },
    [Op.pad]: (op) => {
      const x = this.input(op.inputs[0]!);
      if (x.nchw) throw new Error("PAD on 4-D activations is not supported");
      const pads = constantInts(this.tensor(op.inputs[1]!));
      const rank = pads.length / 2;
      const offset = this.batchOffset(op.inputs[0]!, x);
      const before = [...(offset === 1 ? [0] : []), ...Array.from({ length: rank }, (_, i) => pads[2 * i]!)];
      const after = [...(offset === 1 ? [0] : []), ...Array.from({ length: rank }, (_, i) => pads[2 * i + 1]!)];
      const out = this.node("Pad", [x.name, this.int64s("pads", [...before, ...after])]);
      this.set(op.outputs[0]!, out, x.inner.map((d, i) => d + before[i + 1]! + after[i + 1]!), false);
    },
    [Op.fullyConnected]: (op) => {
      const x = this.input(op.inputs[0]!);
      const weights = this.tensor(op.inputs[1]!);
      const [units, depth] = weights.shape as [number, number];
      if (x.inner[x.inner.length - 1] !== depth) throw new Error(`FULLY_CONNECTED ${weights.name}: input depth ${x.inner.at(-1)} is not ${depth}`);
      const w = this.floats(op.inputs[1]!);
      const transposed = new Float32Array(w.length);
      for (let u = 0; u < units; u++) for (let d = 0; d < depth; d++) transposed[d * units + u] = w[u * depth + d]!;
      // Hybrid kernels quantise each input row: symmetric, or asymmetric when the op asks for it.
      const input = this.hybridInput(op.inputs[1]!, x.name, [-1], op.options.byte(FULLY_CONNECTED.asymmetricInputs, 0) !== 0);
      let out = this.node("MatMul", [input, this.initializer("weights", [depth, units], transposed)]);
      const bias = op.inputs[2];
      if (bias !== undefined && bias >= 0) out = this.node("Add", [out, this.initializer("bias", [units], this.floats(bias))]);
      out = this.activate(out, op.options.byte(FULLY_CONNECTED.activation, 0));
      this.set(op.outputs[0]!, out, [...x.inner.slice(0, -1), units], false);
    },
    [Op.conv2d]: (op) => {
      const x = this.input(op.inputs[0]!);
      const weights = this.tensor(op.inputs[1]!);
      const [out, kh, kw, inC] = weights.shape as [number, number, number, number];
      this.conv(op, x, CONV, this.toOihw(this.floats(op.inputs[1]!), out, kh, kw, inC), [out, inC, kh, kw], 1);
    },
    [Op.depthwiseConv2d]: (op) => {
      const x = this.input(op.inputs[0]!);
      const weights = this.tensor(op.inputs[1]!);
      const [, kh, kw, channels] = weights.shape as [number, number, number, number];
      if (op.options.int(DEPTHWISE.multiplier, 1) !== 1 && channels !== x.inner[0]) throw new Error("depthwise multipliers other than 1 are not supported");
      this.conv(op, x, DEPTHWISE, this.toOihw(this.floats(op.inputs[1]!), 1, kh, kw, channels, true), [channels, 1, kh, kw], channels);
    },
    [Op.mean]: (op) => {
      const x = this.input(op.inputs[0]!);
      const axes = constantInts(this.tensor(op.inputs[1]!));
      const keep = op.options.byte(REDUCER.keepDims, 0) !== 0;
      if (!x.nchw || keep) throw new Error("MEAN is supported over NHWC axes without keep_dims only");
      const onnxAxes = axes.map((a) => NCHW_AXIS[a]!);
      const out = this.node("ReduceMean", [x.name], { axes: onnxAxes, keepdims: 0 });
      const remaining = [0, 1, 2, 3].filter((a) => a !== 0 && !onnxAxes.includes(a));
      if (remaining.length !== 1) throw new Error("MEAN must leave exactly the channel axis");
      this.set(op.outputs[0]!, out, [x.inner[remaining[0]! - 1]!], false);
    },
  };

  /** 0 when the TFLite tensor's first axis is the batch, 1 when TFLite holds it without one. */
  private batchOffset(index: number, value: Value): number {
    return this.tensor(index).shape.length === value.inner.length + 1 ? 0 : 1;
  }

  private slice(op: TfliteOperator, x: Value, begin: number[], end: number[], steps: number[], offset: number): void {
    if (x.nchw) throw new Error("slicing 4-D activations is not supported");
    const axes = begin.map((_, i) => i + offset).filter((a) => a > 0);
    const skip = offset === 0 ? 1 : 0; // the batch axis itself is never sliced
    const out = this.node("Slice", [x.name, this.int64s("starts", begin.slice(skip)), this.int64s("ends", end.slice(skip)),
      this.int64s("axes", axes), this.int64s("steps", steps.slice(skip))]);
    const shape = this.tensor(op.outputs[0]!).shape;
    this.set(op.outputs[0]!, out, offset === 0 ? shape.slice(1) : shape, false);
  }

  private reshape(op: TfliteOperator): void {
    const x = this.input(op.inputs[0]!);
    const target = this.tensor(op.outputs[0]!).shape;
    if (x.nchw) throw new Error("RESHAPE of 4-D activations is not supported");
    if (target.length === 4) {
      // The TFLite batch is the leading 1 of an NHWC shape: reshape to NHWC, then transpose to NCHW.
      const [, h, w, c] = target as [number, number, number, number];
      const nhwc = this.node("Reshape", [x.name, this.int64s("shape", [-1, h, w, c])]);
      this.set(op.outputs[0]!, c === 1 ? this.node("Reshape", [nhwc, this.int64s("shape", [-1, 1, h, w])]) : this.node("Transpose", [nhwc], { perm: [0, 3, 1, 2] }), [c, h, w], true);
      return;
    }
    // Below four dimensions TFLite's shape has no batch axis (a single-example front end: [1, n] → [n]).
    this.set(op.outputs[0]!, this.node("Reshape", [x.name, this.int64s("shape", [-1, ...target])]), target, false);
  }

  private elementwise(op: TfliteOperator, onnxOp: string): void {
    const [a, b] = op.inputs as [number, number];
    const x = this.values.get(a) ?? this.input(b);
    const out = this.activate(this.node(onnxOp, [this.operand(a, x), this.operand(b, x)]), op.options.byte(ELEMENTWISE.activation, 0));
    this.set(op.outputs[0]!, out, x.inner, x.nchw);
  }

  private unary(op: TfliteOperator, onnxOp: string): void {
    const x = this.input(op.inputs[0]!);
    this.set(op.outputs[0]!, this.node(onnxOp, [x.name]), x.inner, x.nchw);
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
    const result = new Float32Array(w.length);
    if (depthwise) {
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let c = 0; c < inC; c++) result[(c * kh + y) * kw + x] = w[(y * kw + x) * inC + c]!;
      return result;
    }
    for (let o = 0; o < out; o++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < inC; i++) {
      result[((o * inC + i) * kh + y) * kw + x] = w[((o * kh + y) * kw + x) * inC + i]!;
    }
    return result;
  }

  private conv(op: TfliteOperator, x: Value, fields: typeof CONV | typeof DEPTHWISE, weights: Float32Array, dims: number[], group: number): void {
    if (!x.nchw) throw new Error("convolutions need 4-D activations");
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
    const shape = this.tensor(op.outputs[0]!).shape as [number, number, number, number];
    this.set(op.outputs[0]!, out, [shape[3], shape[1], shape[2]], true);
  }

  run(): OnnxGraph {
    const { options } = this;
    const [input] = this.graph.inputs as [number];
    const inputTensor = this.tensor(input);
    if (this.graph.inputs.length !== 1 || inputTensor.shape[0] !== 1 || inputTensor.type !== TfliteType.float32) {
      throw new Error("the converter takes graphs with one float32 input whose first dimension is the batch (1)");
    }
    const inputName = this.nameOf(input);
    this.set(input, inputName, inputTensor.shape.slice(1), false);
    for (const operator of this.graph.operators) this.convert(operator);
    const outputs = this.graph.outputs.map((index) => ({ name: this.nameOf(index), value: this.input(index) }));
    for (const [name, tensorName] of Object.entries(options.extraOutputs ?? {})) {
      const index = this.graph.tensors.findIndex((t) => t.name === tensorName);
      if (index < 0) throw new Error(`no tensor named ${tensorName}`);
      outputs.push({ name, value: this.input(index) });
    }
    // Outputs take their public names through Identity nodes, so a named tensor may also feed others.
    for (const output of outputs) this.node("Identity", [output.value.name], undefined, output.name);
    return {
      name: "converted",
      opset: 13,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: [{ name: inputName, dims: ["batch", ...inputTensor.shape.slice(1)] }],
      outputs: outputs.map(({ name, value }) => ({ name, dims: ["batch", ...value.inner] })),
    };
  }
}

/** The ONNX graph equivalent to a TFLite graph, batch dimension free. */
export function tfliteToOnnx(graph: TfliteGraph, options: ConversionOptions = {}): OnnxGraph {
  return new Converter(graph, options).run();
}
