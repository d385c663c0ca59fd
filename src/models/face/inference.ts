// The two ONNX runs of the face pipeline, shared by the kernel, the evaluation and the training scripts
// so that all of them detect and classify exactly as the server does.

import { readFileSync } from "node:fs";
import { InferenceSession, Tensor } from "onnxruntime-node";
import type { ImageFrame } from "../../media/types.js";
import { boundedRuns } from "../../runtime/bounded-runs.js";
import { withSymbolicDims } from "../../runtime/onnx-proto.js";
import type { FaceModelConfig } from "./config.js";
import { decodeDetections, DETECTOR_INPUT_SIZE, DETECTOR_OUTPUTS, letterbox, type Detection } from "./detector.js";

/** Floats of the detector's input tensor. */
export const DETECTOR_INPUT_FLOATS = 3 * DETECTOR_INPUT_SIZE * DETECTOR_INPUT_SIZE;

/**
 * The YuNet session: the pinned file, its input's height and width (and so its outputs' anchor counts)
 * made symbolic, so each image runs at its own aspect (detector.ts, letterbox).
 */
export function loadDetector(path: string, options: InferenceSession.SessionOptions): Promise<InferenceSession> {
  const dims: Record<string, Record<number, string>> = { input: { 2: "height", 3: "width" } };
  for (const output of DETECTOR_OUTPUTS) dims[output] = { 1: `${output}_anchors` };
  return InferenceSession.create(withSymbolicDims(readFileSync(path), dims), options);
}

/**
 * Faces YuNet finds in an image, raw scores at least `detector.min_score`, overlaps suppressed.
 * `scratch` (DETECTOR_INPUT_FLOATS) holds the network input when given, reused from call to call.
 */
export async function detectFaces(session: InferenceSession, image: ImageFrame, detector: FaceModelConfig["detector"], scratch?: Float32Array): Promise<Detection[]> {
  const { tensor, width, height, scale } = letterbox(image, DETECTOR_INPUT_SIZE, scratch);
  const result = await session.run({ input: new Tensor("float32", tensor, [1, 3, height, width]) });
  const outputs = Object.fromEntries(Object.entries(result).map(([name, value]) => [name, value.data as Float32Array]));
  return decodeDetections(outputs, scale, detector.min_score, detector.nms_iou, width);
}

export interface ClassifiedFaces {
  /** Per crop, the FER+ probabilities (FERPLUS_CLASSES order). */
  ferplus: Float32Array[];
  /** Per crop, the FER2013 head's probabilities (angry, disgust, fear, happy, sad, surprise, neutral). */
  fer2013: Float32Array[];
}

/** Most crops in one classifier run: it bounds what ONNX Runtime's arena keeps (runtime/bounded-runs.ts). */
export const CLASSIFIER_RUN_SIZE = 8;

/** Runs the expression classifier on aligned greyscale crops of `side`² bytes, CLASSIFIER_RUN_SIZE at a time. */
export async function classifyCrops(session: InferenceSession, crops: readonly Uint8Array[], side: number): Promise<ClassifiedFaces> {
  const runs = await boundedRuns(crops.length, CLASSIFIER_RUN_SIZE, async (start, end) => {
    const pixels = new Float32Array((end - start) * side * side);
    for (let n = start; n < end; n++) pixels.set(crops[n]!, (n - start) * side * side);
    const result = await session.run({ face: new Tensor("float32", pixels, [end - start, 1, side, side]) });
    const rows = (name: string): Float32Array[] => {
      const data = result[name]!.data as Float32Array;
      const width = data.length / (end - start);
      return Array.from({ length: end - start }, (_, n) => data.slice(n * width, (n + 1) * width));
    };
    return { ferplus: rows("ferplus"), fer2013: rows("fer2013") };
  });
  return { ferplus: runs.flatMap((r) => r.ferplus), fer2013: runs.flatMap((r) => r.fer2013) };
}
