// Writes an ONNX ModelProto (onnx/onnx.proto, protobuf wire format) from plain nodes and float/int64
// initialisers, so that a graph converted in-process can be handed to onnxruntime as bytes. Covers the
// fields a converted inference graph needs: nodes with int, float, ints and string attributes, tensors
// as raw data, inputs and outputs with a symbolic batch dimension. Also rewrites an existing model's
// declared input and output shapes (withSymbolicDims), leaving every other byte as it was.

export type OnnxAttribute = number | number[] | string | { float: number };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, OnnxAttribute>;
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export interface OnnxValue {
  name: string;
  /** A string names a symbolic dimension (e.g. "batch"). */
  dims: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  opset: number;
}

const ELEMENT_TYPE = { float: 1, int64: 7 } as const;
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, ints: 7 } as const;

/** Protobuf wire format: varints and length-delimited fields. */
class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];

  private varint(value: bigint | number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    do {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      bytes.push(v === 0n ? byte : byte | 0x80);
    } while (v !== 0n);
    this.chunks.push(Uint8Array.from(bytes));
  }

  int(field: number, value: number | bigint): this {
    this.varint(field << 3);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.varint((field << 3) | 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.chunks.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.varint((field << 3) | 2);
    this.varint(value.length);
    this.chunks.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** Bytes already encoded as whole fields, copied as they are. */
  raw(fields: Uint8Array): this {
    this.chunks.push(fields);
    return this;
  }

  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const total = this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

function writeAttribute(w: ProtoWriter, name: string, value: OnnxAttribute): void {
  w.string(1, name);
  if (typeof value === "string") w.bytes(4, new TextEncoder().encode(value)).int(20, ATTRIBUTE_TYPE.string);
  else if (typeof value === "number") w.int(3, value).int(20, ATTRIBUTE_TYPE.int);
  else if (Array.isArray(value)) {
    for (const v of value) w.int(8, v);
    w.int(20, ATTRIBUTE_TYPE.ints);
  } else w.float(2, value.float).int(20, ATTRIBUTE_TYPE.float);
}

function writeValue(w: ProtoWriter, value: OnnxValue): void {
  w.string(1, value.name).message(2, (type) => type.message(1, (tensor) => {
    tensor.int(1, ELEMENT_TYPE.float).message(2, (shape) => {
      for (const dim of value.dims) shape.message(1, (d) => (typeof dim === "number" ? d.int(1, dim) : d.string(2, dim)));
    });
  }));
}

/** The serialised ModelProto. */
export function encodeOnnxModel(graph: OnnxGraph, producer = "moodwire"): Uint8Array {
  return new ProtoWriter()
    .int(1, 8) // ir_version 8 (ONNX 1.13+): enough for opset ≤ 18
    .string(2, producer)
    .message(7, (g) => {
      for (const node of graph.nodes) {
        g.message(1, (n) => {
          for (const input of node.inputs) n.string(1, input);
          for (const output of node.outputs) n.string(2, output);
          n.string(3, node.outputs[0]!).string(4, node.op);
          for (const [name, value] of Object.entries(node.attributes ?? {})) n.message(5, (a) => writeAttribute(a, name, value));
        });
      }
      g.string(2, graph.name);
      for (const init of graph.initializers) {
        g.message(5, (t) => {
          for (const dim of init.dims) t.int(1, dim);
          t.int(2, init.data instanceof Float32Array ? ELEMENT_TYPE.float : ELEMENT_TYPE.int64).string(8, init.name);
          t.bytes(9, new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength));
        });
      }
      for (const input of graph.inputs) g.message(11, (v) => writeValue(v, input));
      for (const output of graph.outputs) g.message(12, (v) => writeValue(v, output));
    })
    .message(8, (o) => o.string(1, "").int(2, graph.opset))
    .finish();
}

// --- Rewriting an existing model ----------------------------------------------------------------

interface ProtoField {
  field: number;
  wire: number;
  /** The whole field as encoded: key and value. */
  raw: Uint8Array;
  /** A length-delimited field's payload (wire type 2); for other wire types, the value's bytes. */
  value: Uint8Array;
}

/** The top-level fields of one protobuf message, in order. */
function readFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let factor = 1; ; factor *= 128) {
      if (at >= bytes.length) throw new Error("ONNX model: truncated varint");
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * factor;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const start = at;
    const key = varint();
    const wire = key % 8;
    let valueStart = at;
    if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const length = varint();
      valueStart = at;
      at += length;
    } else throw new Error(`ONNX model: unsupported protobuf wire type ${wire}`);
    if (at > bytes.length) throw new Error("ONNX model: truncated field");
    fields.push({ field: Math.floor(key / 8), wire, raw: bytes.subarray(start, at), value: bytes.subarray(valueStart, at) });
  }
  return fields;
}

/** A message's payload returned by a rewrite, or undefined to drop the field. */
type FieldRewrite = (value: Uint8Array, index: number) => Uint8Array | undefined;

/** `message` with its length-delimited fields numbered in `rewrites` replaced; every other field copied. */
function rewriteMessage(message: Uint8Array, rewrites: Record<number, FieldRewrite>): Uint8Array {
  const writer = new ProtoWriter();
  const seen = new Map<number, number>();
  for (const f of readFields(message)) {
    const rewrite = f.wire === 2 ? rewrites[f.field] : undefined;
    if (rewrite === undefined) {
      writer.raw(f.raw);
      continue;
    }
    const index = seen.get(f.field) ?? 0;
    seen.set(f.field, index + 1);
    const value = rewrite(f.value, index);
    if (value !== undefined) writer.bytes(f.field, value);
  }
  return writer.finish();
}

/** ModelProto.graph; GraphProto.input, output, value_info; ValueInfoProto.name, type; TypeProto.tensor_type; Tensor.shape; TensorShapeProto.dim. */
const FIELD = { graph: 7, input: 11, output: 12, valueInfo: 13, name: 1, type: 2, tensorType: 1, shape: 2, dim: 1, dimParam: 2 } as const;

/**
 * `model` with the dimensions named in `dims` (value name → axis → symbolic name) of its graph inputs and
 * outputs made symbolic, so a fully convolutional graph exported at one size runs at others. The graph's
 * stored intermediate shapes (value_info) are dropped: they hold only at the exported size, and
 * onnxruntime infers them again.
 */
export function withSymbolicDims(model: Uint8Array, dims: Record<string, Record<number, string>>): Uint8Array {
  const valueInfo: FieldRewrite = (value) => {
    const nameField = readFields(value).find((f) => f.field === FIELD.name && f.wire === 2);
    const axes = nameField === undefined ? undefined : dims[new TextDecoder().decode(nameField.value)];
    if (axes === undefined) return value;
    const shape: FieldRewrite = (dimensions) =>
      rewriteMessage(dimensions, { [FIELD.dim]: (dim, axis) => (axes[axis] === undefined ? dim : new ProtoWriter().string(FIELD.dimParam, axes[axis]).finish()) });
    return rewriteMessage(value, { [FIELD.type]: (type) => rewriteMessage(type, { [FIELD.tensorType]: (tensor) => rewriteMessage(tensor, { [FIELD.shape]: shape }) }) });
  };
  return rewriteMessage(model, {
    [FIELD.graph]: (graph) => rewriteMessage(graph, { [FIELD.input]: valueInfo, [FIELD.output]: valueInfo, [FIELD.valueInfo]: () => undefined }),
  });
}
