// The TFLite → ONNX conversion checked for parity with Google's TFLite interpreter (the wasm build in
// the @tensorflow/tfjs-tflite dev dependency) on YAMNet over real audio: speech, a whisper, noise and a
// tone from the shared samples (skipped, with a message, when YAMNet is not installed or the samples are
// absent); MediaPipe's face networks have theirs in src/models/face/mediapipe.test.ts. Then float16
// decoding, and a hand-made graph for the NHWC/NCHW bookkeeping, which need no model.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { decodeAudio } from "../media/audio.js";
import { CLASS_COUNT, cutPatches, patchOffsets, PATCH_SAMPLES, Yamnet, yamnetInstalled, yamnetPaths } from "../models/burst/yamnet.js";
import { loadTfliteReference, type TfliteReference } from "../../tests/support/tflite-reference.js";
import { sharedDirectory } from "./paths.js";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { encodeOnnxModel } from "./onnx-proto.js";
import { tfliteToOnnx } from "./tflite-to-onnx.js";
import { float16Value, readTflite, TfliteType, type TfliteGraph, type TfliteOperator, type TfliteOptions, type TfliteTensor } from "./tflite.js";

const SAMPLES = `${sharedDirectory()}samples/audio/`;
const CLIPS = ["speech_4s.wav", "whisper.wav", "mixed_pink.wav", "tone440_2s.wav", "fast_high_loud.wav"];
const SKIP = !yamnetInstalled()
  ? `YAMNet is not installed (${yamnetPaths().model}; npm run fetch-models)`
  : !existsSync(`${SAMPLES}speech_4s.wav`) ? `the shared audio samples are absent (${SAMPLES}): set MOODWIRE_SHARED` : false;
if (SKIP !== false) console.log(`# TFLite conversion parity skipped: ${SKIP}`);

describe("YAMNet converted to ONNX", { skip: SKIP }, () => {
  let reference: TfliteReference;
  let converted: Yamnet;
  const patches: Float32Array[] = [];

  before(async () => {
    reference = await loadTfliteReference(yamnetPaths().model);
    converted = await Yamnet.load(1);
    for (const clip of CLIPS) {
      const { samples } = await decodeAudio(readFileSync(`${SAMPLES}${clip}`), {});
      const offsets = patchOffsets(samples.length);
      const cut = cutPatches(samples, offsets);
      offsets.forEach((_, i) => patches.push(cut.subarray(i * PATCH_SAMPLES, (i + 1) * PATCH_SAMPLES)));
    }
  });

  it("reads the file's graph: one waveform input, scores and log-mel outputs", () => {
    const graph = readTflite(readFileSync(yamnetPaths().model));
    assert.deepEqual(graph.inputs.map((i) => graph.tensors[i]!.shape), [[1, PATCH_SAMPLES]]);
    assert.deepEqual(graph.outputs.map((i) => graph.tensors[i]!.shape), [[1, CLASS_COUNT], [96, 64]]);
  });

  it("scores every patch as the TFLite interpreter does, batched in one run", async () => {
    const batch = new Float32Array(patches.length * PATCH_SAMPLES);
    patches.forEach((patch, i) => batch.set(patch, i * PATCH_SAMPLES));
    const scores = await converted.scores(batch, patches.length);
    let sumAbs = 0;
    let worst = 0;
    let sameTop = 0;
    patches.forEach((patch, i) => {
      const expected = reference.run(patch, [1, PATCH_SAMPLES]).Identity!;
      const got = scores.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT);
      for (let k = 0; k < CLASS_COUNT; k++) {
        const diff = Math.abs(expected[k]! - got[k]!);
        sumAbs += diff;
        worst = Math.max(worst, diff);
      }
      const top = (v: ArrayLike<number>) => Array.prototype.indexOf.call(v, Math.max(...Array.from(v)));
      if (top(expected) === top(got)) sameTop++;
    });
    // The residue is rounding at exact halves and float summation order inside int8-rounded activations.
    assert.equal(sameTop, patches.length, "the top class of every patch");
    assert.ok(sumAbs / (patches.length * CLASS_COUNT) < 1e-3, `mean absolute score difference ${sumAbs / (patches.length * CLASS_COUNT)}`);
    assert.ok(worst < 0.2, `largest score difference ${worst}`);
  });
});

describe("float16 constants", () => {
  it("decodes IEEE half precision: normals, subnormals, signs, infinities", () => {
    assert.equal(float16Value(0x3c00), 1);
    assert.equal(float16Value(0xc000), -2);
    assert.equal(float16Value(0x3555), 0.333251953125);
    assert.equal(float16Value(0x7bff), 65504);
    assert.equal(float16Value(0x0001), 2 ** -24);
    assert.equal(float16Value(0x03ff), 1023 * 2 ** -24);
    assert.ok(Object.is(float16Value(0x8000), -0));
    assert.equal(float16Value(0xfc00), -Infinity);
    assert.ok(Number.isNaN(float16Value(0x7e00)));
  });
});

// A hand-made graph in the shape of the blendshape network's layout-sensitive stretch: a 1×1
// convolution (float16 weights behind DEQUANTIZE) leaves its output NCHW, and the TRANSPOSE, a
// CONCATENATION with a constant token, reductions with keep_dims, STRIDED_SLICE with a shrink mask and
// RESHAPE that follow must still answer in TFLite's NHWC terms, for each example of a batch.
describe("layout-sensitive operators after a convolution", () => {
  const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
  const i32 = (values: number[]) => new Uint8Array(Int32Array.from(values).buffer);
  const f16 = (bits: number[]) => new Uint8Array(Uint16Array.from(bits).buffer);
  const tensor = (name: string, shape: number[], type: number = TfliteType.float32, data?: Uint8Array): TfliteTensor =>
    ({ name, shape, type, data, quantization: undefined });
  const options = (fields: Record<number, number> = {}): TfliteOptions => ({ int: (f, d) => fields[f] ?? d, byte: (f, d) => fields[f] ?? d });
  const op = (code: number, inputs: number[], outputs: number[], fields?: Record<number, number>): TfliteOperator => ({ code, inputs, outputs, options: options(fields) });
  const identity3 = [0x3c00, 0, 0, 0, 0x3c00, 0, 0, 0, 0x3c00];
  const graph: TfliteGraph = {
    tensors: [
      tensor("x", [1, 1, 2, 3]), tensor("w16", [3, 1, 1, 3], TfliteType.float16, f16(identity3)), tensor("w", [3, 1, 1, 3]),
      tensor("conv", [1, 1, 2, 3]), tensor("perm", [4], TfliteType.int32, i32([0, 1, 3, 2])), tensor("transposed", [1, 1, 3, 2]),
      tensor("token", [1, 1, 1, 2], TfliteType.float32, f32([10, 20])), tensor("concat", [1, 1, 4, 2]),
      tensor("axis3", [1], TfliteType.int32, i32([3])), tensor("mean", [1, 1, 4, 1]), tensor("sqdiff", [1, 1, 4, 2]),
      tensor("axisLast", [1], TfliteType.int32, i32([-1])), tensor("sum", [1, 1, 4, 1]),
      tensor("begin", [4], TfliteType.int32, i32([0, 0, 1, 0])), tensor("end", [4], TfliteType.int32, i32([0, 0, 2, 0])),
      tensor("strides", [4], TfliteType.int32, i32([1, 1, 1, 1])), tensor("row", [1, 1, 1, 2]),
      tensor("shape", [2], TfliteType.int32, i32([1, 2])), tensor("flat", [1, 2]),
      tensor("begin2", [2], TfliteType.int32, i32([0, 0])), tensor("end2", [2], TfliteType.int32, i32([1, 2])),
      tensor("strides2", [2], TfliteType.int32, i32([1, 1])), tensor("picked", [2]),
    ],
    inputs: [0],
    outputs: [12, 22],
    operators: [
      op(6, [1], [2]), // DEQUANTIZE float16 → float32
      op(3, [0, 2, -1], [3], { 0: 1 }), // CONV_2D 1×1, VALID
      op(39, [3, 4], [5]), // TRANSPOSE: swap W and C
      op(2, [6, 5], [7], { 0: -2 }), // CONCATENATION: the token first, along W
      op(40, [7, 8], [9], { 0: 1 }), // MEAN over C, keep_dims
      op(99, [7, 9], [10]), // SQUARED_DIFFERENCE
      op(74, [10, 11], [12], { 0: 1 }), // SUM over C, keep_dims
      op(45, [7, 13, 14, 15], [16], { 0: 11, 1: 11 }), // STRIDED_SLICE: W 1:2, other axes whole
      op(22, [16, 17], [18]), // RESHAPE [1, 1, 1, 2] → [1, 2]
      op(45, [18, 19, 20, 21], [22], { 0: 2, 1: 2, 4: 1 }), // STRIDED_SLICE shrinking the batch axis → [2]
    ],
  };

  it("answers as TFLite would, per example", async () => {
    const onnx = tfliteToOnnx(graph, { names: { x: "x", sum: "sum", picked: "picked" } });
    assert.deepEqual(onnx.outputs, [{ name: "sum", dims: ["batch", 1, 4, 1] }, { name: "picked", dims: ["batch", 2] }]);
    const session = await InferenceSession.create(encodeOnnxModel(onnx));
    // Example 1: x[w][c] = [[1, 2, 3], [4, 5, 6]]; example 2 doubles it.
    const x = Float32Array.of(1, 2, 3, 4, 5, 6, 2, 4, 6, 8, 10, 12);
    const result = await session.run({ x: new Tensor("float32", x, [2, 1, 2, 3]) });
    // Transposed rows [1, 4], [2, 5], [3, 6] after the token [10, 20]; each row's squared deviations summed.
    assert.deepEqual(Array.from(result.sum!.data as Float32Array), [50, 4.5, 4.5, 4.5, 50, 18, 18, 18]);
    assert.deepEqual(Array.from(result.picked!.data as Float32Array), [1, 4, 2, 8]);
  });
});
