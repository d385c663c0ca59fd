// Reads a TFLite flatbuffer (schema: tensorflow/lite/schema/schema.fbs) into plain objects: the first
// subgraph's tensors (with constant data, float16 and int8 quantisation) and operators (builtin code, inputs,
// outputs, options table). Only what a graph conversion needs; no execution.

/** TFLite's TensorType values that this reader decodes. */
export const TfliteType = { float32: 0, float16: 1, int32: 2, int8: 9 } as const;

export interface TfliteQuantization {
  scale: Float32Array;
  zeroPoint: number[];
  /** The dimension the scales run along (per-channel), 0 for per-tensor. */
  axis: number;
}

export interface TfliteTensor {
  name: string;
  shape: number[];
  type: number;
  /** Constant bytes (weights, shapes, indices); undefined for activations. */
  data: Uint8Array | undefined;
  quantization: TfliteQuantization | undefined;
}

/** A builtin operator's options table: read fields by their index in the options' schema. */
export interface TfliteOptions {
  /** An int32 field. */
  int(field: number, fallback: number): number;
  /** A byte-wide field: enums (padding, activation) and bools. */
  byte(field: number, fallback: number): number;
}

export interface TfliteOperator {
  /** BuiltinOperator code. */
  code: number;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  options: TfliteOptions;
}

export interface TfliteGraph {
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
}

class Table {
  constructor(private readonly view: DataView, readonly position: number) {}

  /** The absolute offset of field `index`, or 0 when the field is absent. */
  field(index: number): number {
    const vtable = this.position - this.view.getInt32(this.position, true);
    const slot = 4 + 2 * index;
    if (slot >= this.view.getUint16(vtable, true)) return 0;
    const offset = this.view.getUint16(vtable + slot, true);
    return offset === 0 ? 0 : this.position + offset;
  }
}

class FlatBufferReader {
  readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  root(): Table {
    return new Table(this.view, this.view.getUint32(0, true));
  }

  private vector(at: number): { length: number; start: number } {
    const position = at + this.view.getUint32(at, true);
    return { length: this.view.getUint32(position, true), start: position + 4 };
  }

  tables(table: Table, index: number): Table[] {
    const at = table.field(index);
    if (at === 0) return [];
    const { length, start } = this.vector(at);
    return Array.from({ length }, (_, k) => {
      const element = start + 4 * k;
      return new Table(this.view, element + this.view.getUint32(element, true));
    });
  }

  table(table: Table, index: number): Table | undefined {
    const at = table.field(index);
    return at === 0 ? undefined : new Table(this.view, at + this.view.getUint32(at, true));
  }

  int32s(table: Table, index: number): number[] {
    const at = table.field(index);
    if (at === 0) return [];
    const { length, start } = this.vector(at);
    return Array.from({ length }, (_, k) => this.view.getInt32(start + 4 * k, true));
  }

  int64s(table: Table, index: number): number[] {
    const at = table.field(index);
    if (at === 0) return [];
    const { length, start } = this.vector(at);
    return Array.from({ length }, (_, k) => Number(this.view.getBigInt64(start + 8 * k, true)));
  }

  float32s(table: Table, index: number): Float32Array {
    const at = table.field(index);
    if (at === 0) return new Float32Array(0);
    const { length, start } = this.vector(at);
    return Float32Array.from({ length }, (_, k) => this.view.getFloat32(start + 4 * k, true));
  }

  bytesOf(table: Table, index: number): Uint8Array | undefined {
    const at = table.field(index);
    if (at === 0) return undefined;
    const { length, start } = this.vector(at);
    return length === 0 ? undefined : this.bytes.subarray(start, start + length);
  }

  string(table: Table, index: number): string {
    const bytes = this.bytesOf(table, index);
    return bytes === undefined ? "" : new TextDecoder().decode(bytes);
  }

  scalar(table: Table, index: number, read: (at: number) => number, fallback: number): number {
    const at = table.field(index);
    return at === 0 ? fallback : read(at);
  }
}

// Field indices of the schema's tables (schema.fbs declaration order).
const MODEL = { operatorCodes: 1, subgraphs: 2, buffers: 4 };
const OPERATOR_CODE = { deprecatedBuiltinCode: 0, builtinCode: 3 };
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3 };
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4 };
const QUANTIZATION = { scale: 2, zeroPoint: 3, quantizedDimension: 6 };
const OPERATOR = { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptions: 4 };
const BUFFER = { data: 0 };

/** Parses a .tflite file; throws on anything that is not a TFLite flatbuffer with one subgraph. */
export function readTflite(bytes: Uint8Array): TfliteGraph {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(4, 8)) !== "TFL3") throw new Error("not a TFLite file (no TFL3 identifier)");
  const reader = new FlatBufferReader(bytes);
  const { view } = reader;
  const model = reader.root();
  const codes = reader.tables(model, MODEL.operatorCodes).map((code) =>
    // Codes above 127 live only in builtin_code; older files have only the deprecated byte.
    Math.max(reader.scalar(code, OPERATOR_CODE.builtinCode, (at) => view.getInt32(at, true), 0),
      reader.scalar(code, OPERATOR_CODE.deprecatedBuiltinCode, (at) => view.getInt8(at), 0)));
  const buffers = reader.tables(model, MODEL.buffers);
  const subgraph = reader.tables(model, MODEL.subgraphs)[0];
  if (subgraph === undefined) throw new Error("the TFLite file has no subgraph");
  const tensors = reader.tables(subgraph, SUBGRAPH.tensors).map((tensor): TfliteTensor => {
    const buffer = buffers[reader.scalar(tensor, TENSOR.buffer, (at) => view.getUint32(at, true), 0)];
    const quantization = reader.table(tensor, TENSOR.quantization);
    const scale = quantization === undefined ? new Float32Array(0) : reader.float32s(quantization, QUANTIZATION.scale);
    return {
      name: reader.string(tensor, TENSOR.name),
      shape: reader.int32s(tensor, TENSOR.shape),
      type: reader.scalar(tensor, TENSOR.type, (at) => view.getInt8(at), TfliteType.float32),
      data: buffer === undefined ? undefined : reader.bytesOf(buffer, BUFFER.data),
      quantization: scale.length === 0 ? undefined : {
        scale,
        zeroPoint: reader.int64s(quantization!, QUANTIZATION.zeroPoint),
        axis: reader.scalar(quantization!, QUANTIZATION.quantizedDimension, (at) => view.getInt32(at, true), 0),
      },
    };
  });
  const operators = reader.tables(subgraph, SUBGRAPH.operators).map((operator): TfliteOperator => {
    const options = reader.table(operator, OPERATOR.builtinOptions);
    return {
      code: codes[reader.scalar(operator, OPERATOR.opcodeIndex, (at) => view.getUint32(at, true), 0)]!,
      inputs: reader.int32s(operator, OPERATOR.inputs),
      outputs: reader.int32s(operator, OPERATOR.outputs),
      options: {
        int: (field, fallback) => options === undefined ? fallback : reader.scalar(options, field, (at) => view.getInt32(at, true), fallback),
        byte: (field, fallback) => options === undefined ? fallback : reader.scalar(options, field, (at) => view.getInt8(at), fallback),
      },
    };
  });
  return { tensors, inputs: reader.int32s(subgraph, SUBGRAPH.inputs), outputs: reader.int32s(subgraph, SUBGRAPH.outputs), operators };
}

/** An IEEE 754 half-precision number from its 16 bits (Node 20 has no Float16Array). */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A constant tensor's values as float32: float32 data as is, float16 widened, int8 dequantised ((q − zero point) × scale). */
export function constantFloats(tensor: TfliteTensor): Float32Array {
  const { data, quantization } = tensor;
  if (data === undefined) throw new Error(`tensor ${tensor.name} is not a constant`);
  const aligned = new Uint8Array(data); // a copy: aligned for typed views (a Buffer's slice() would share its pool)
  if (tensor.type === TfliteType.float32) return new Float32Array(aligned.buffer, 0, aligned.length / 4);
  if (tensor.type === TfliteType.float16) return Float32Array.from(new Uint16Array(aligned.buffer, 0, aligned.length / 2), float16Value);
  if (tensor.type !== TfliteType.int8 || quantization === undefined) throw new Error(`tensor ${tensor.name}: type ${tensor.type} cannot be read as float`);
  const values = new Int8Array(aligned.buffer, 0, aligned.length);
  // Per-channel scales run along `axis`: the channel of flat index i is (i / inner) mod channels.
  const channels = quantization.scale.length;
  const inner = tensor.shape.slice(quantization.axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const channel = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    out[i] = (values[i]! - (quantization.zeroPoint[channel] ?? 0)) * quantization.scale[channel]!;
  }
  return out;
}

/** A constant int32 tensor's values (shapes, axes, indices). */
export function constantInts(tensor: TfliteTensor): number[] {
  if (tensor.data === undefined || tensor.type !== TfliteType.int32) throw new Error(`tensor ${tensor.name} is not an int32 constant`);
  const aligned = new Uint8Array(tensor.data);
  return Array.from(new Int32Array(aligned.buffer, 0, aligned.length / 4));
}
