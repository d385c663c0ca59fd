// YAMNet (Google, Apache-2.0; AudioSet's 521 classes) from the pinned TFLite file installed by
// scripts/fetch-models.mjs, converted to ONNX in-process at load (src/runtime/tflite-to-onnx.ts) with a
// free batch dimension, TFLite's hybrid int8 rounding kept (outputs match the TFLite file) and the
// 1024-d embedding, the layer before the classifier, as an extra output.

import { existsSync, readFileSync } from "node:fs";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { boundedRuns } from "../../runtime/bounded-runs.js";
import { encodeOnnxModel } from "../../runtime/onnx-proto.js";
import { vendorDirectory } from "../../runtime/paths.js";
import { tfliteToOnnx } from "../../runtime/tflite-to-onnx.js";
import { readTflite } from "../../runtime/tflite.js";
import { sessionOptions } from "../../runtime/session-options.js";

/** One YAMNet patch: 0.975 s at 16 kHz. */
export const PATCH_SAMPLES = 15_600;
/** Patches start every 0.48 s, as in YAMNet's own framing (patch hop 48 frames of 10 ms). */
export const PATCH_HOP_SAMPLES = 7_680;
export const CLASS_COUNT = 521;
/** Most patches in one run: it bounds what ONNX Runtime's arena keeps (runtime/bounded-runs.ts). */
const YAMNET_RUN_SIZE = 16;

export const yamnetPaths = () => ({
  model: `${vendorDirectory()}yamnet/yamnet.tflite`,
  classes: `${vendorDirectory()}yamnet/yamnet_class_map.csv`,
});

export function yamnetInstalled(): boolean {
  const paths = yamnetPaths();
  return existsSync(paths.model) && existsSync(paths.classes);
}

/** AudioSet display names in YAMNet's output order. */
export function yamnetClassNames(path = yamnetPaths().classes): string[] {
  const [, ...lines] = readFileSync(path, "utf8").trim().split(/\r?\n/);
  // index,mid,display_name; a display name with a comma is quoted.
  return lines.map((line) => line.split(",").slice(2).join(",").replace(/^"|"$/g, ""));
}

/** The ONNX bytes of the TFLite file: input `waveform` [batch, 15600], outputs `scores`, `log_mel`, `embedding`. */
export function yamnetOnnx(tflite: Uint8Array): Uint8Array {
  return encodeOnnxModel(tfliteToOnnx(readTflite(tflite), {
    names: { input_1: "waveform", Identity: "scores", Identity_1: "log_mel" },
    extraOutputs: { embedding: "yamnet_frames/global_average_pooling2d/Mean" },
    hybridActivations: true,
  }));
}

export class Yamnet {
  private constructor(private readonly session: InferenceSession) {}

  static async load(intraOpThreads: number, path = yamnetPaths().model): Promise<Yamnet> {
    const session = await InferenceSession.create(yamnetOnnx(readFileSync(path)), sessionOptions(intraOpThreads));
    return new Yamnet(session);
  }

  /** Class scores [patches × 521] for `patches` consecutive 15,600-sample patches, YAMNET_RUN_SIZE at a time. */
  async scores(patches: Float32Array, count: number): Promise<Float32Array> {
    const runs = await boundedRuns(count, YAMNET_RUN_SIZE, async (start, end) => {
      const waveform = new Tensor("float32", patches.subarray(start * PATCH_SAMPLES, end * PATCH_SAMPLES), [end - start, PATCH_SAMPLES]);
      return (await this.session.run({ waveform }, ["scores"])).scores!.data as Float32Array;
    });
    if (runs.length === 1) return runs[0]!;
    const scores = new Float32Array(count * CLASS_COUNT);
    runs.forEach((run, i) => scores.set(run, i * YAMNET_RUN_SIZE * CLASS_COUNT));
    return scores;
  }
}

/** Where each patch of `length` samples starts: every hop, the last one flush with the end (a short clip: one patch, zero-padded). */
export function patchOffsets(length: number): number[] {
  if (length <= PATCH_SAMPLES) return [0];
  const offsets: number[] = [];
  for (let offset = 0; offset + PATCH_SAMPLES <= length; offset += PATCH_HOP_SAMPLES) offsets.push(offset);
  const last = length - PATCH_SAMPLES;
  if (offsets.at(-1)! < last) offsets.push(last);
  return offsets;
}

/** The patches of `samples` laid end to end, ready for Yamnet.scores. */
export function cutPatches(samples: Float32Array, offsets: readonly number[]): Float32Array {
  const patches = new Float32Array(offsets.length * PATCH_SAMPLES);
  offsets.forEach((offset, i) => patches.set(samples.subarray(offset, offset + PATCH_SAMPLES), i * PATCH_SAMPLES));
  return patches;
}
