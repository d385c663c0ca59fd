// Face model evaluation on FER2013's PrivateTest split (= the FER+ test split), never used for training
// or tuning, through the served pipeline: the served detector and aligner on each image
// (eval/fer2013.ts), then the served classifier (models/face/expression.onnx).
// * ferplus_accuracy: 8 classes against the FER+ majority vote; images whose majority is unknown or
//   not-a-face, or whose top emotions tie, are left out (count given), as in the FER+ paper;
// * fer2013_private_accuracy: 7 classes against FER2013's original labels, from the classifier's FER2013 head;
// * the baseline: @vladmandic/human's FER2013 emotion model (mini-Xception, 7 classes) on the dataset's own
//   crops resized to its 64×64 input, scored on the same images (for FER+, its 7 classes without contempt).

import { existsSync } from "node:fs";
import { InferenceSession } from "onnxruntime-node";
import { faceModelFiles, readFaceConfig } from "../src/models/face/config.js";
import { loadHumanModel } from "../src/models/face/embedding.js";
import { classifyCrops } from "../src/models/face/inference.js";
import { sharedDirectory } from "../src/runtime/paths.js";
import { alignFerImages, CONFIDENT_SCORE, detectFerImages, ferplusMajority, loadFerImages, loadFerLabels, SIDE } from "./fer2013.js";
import type { EvalResult } from "./main.js";

const BATCH = 256;
/** FER2013 label order → FERPLUS_CLASSES index (angry, disgust, fear, happy, sad, surprise, neutral). */
const FER2013_TO_FERPLUS = [4, 5, 6, 1, 3, 2, 0];

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

function accuracy(predicted: readonly number[], truth: readonly (number | undefined)[]): { accuracy: number; n: number } {
  let correct = 0, n = 0;
  truth.forEach((t, i) => {
    if (t === undefined) return;
    n++;
    if (predicted[i] === t) correct++;
  });
  return { accuracy: Math.round((correct / n) * 10_000) / 10_000, n };
}

/** Human's emotion model on the dataset's crops: 64×64 grey, (x/255 − 0.5)·2, as Human feeds it. */
async function humanBaseline(pixels: Uint8Array): Promise<number[]> {
  const { tf, model } = await loadHumanModel("emotion");
  const n = pixels.length / (SIDE * SIDE);
  const predicted: number[] = [];
  for (let start = 0; start < n; start += BATCH) {
    const count = Math.min(BATCH, n - start);
    const probabilities = tf.tidy(() => {
      const faces = tf.tensor4d(Float32Array.from(pixels.subarray(start * SIDE * SIDE, (start + count) * SIDE * SIDE)), [count, SIDE, SIDE, 1]);
      const input = tf.mul(tf.sub(tf.div(tf.image.resizeBilinear(faces, [64, 64]), 255), 0.5), 2);
      return model.execute(input) as import("@tensorflow/tfjs-core").Tensor;
    });
    const data = (await probabilities.data()) as Float32Array;
    probabilities.dispose();
    for (let i = 0; i < count; i++) predicted.push(argmax(data.subarray(i * 7, (i + 1) * 7)));
  }
  return predicted;
}

export async function run(): Promise<EvalResult> {
  const data = `${sharedDirectory()}data/face/fer2013/`;
  if (!existsSync(`${data}index.csv`)) return { skipped: `FER2013 not found at ${data} (set --shared or MOODWIRE_SHARED)` };
  const config = readFaceConfig();
  const files = faceModelFiles(config);
  for (const file of Object.values(files)) if (!existsSync(file)) return { skipped: `${file} is not installed (npm run fetch-models; train the classifier)` };
  const options: InferenceSession.SessionOptions = { intraOpNumThreads: Number(process.env.MOODWIRE_EVAL_THREADS ?? 1), logSeverityLevel: 3 };
  const detector = await InferenceSession.create(files.detector, options);
  const classifier = await InferenceSession.create(files.classifier, options);

  const pixels = loadFerImages(data, "PrivateTest");
  const labels = loadFerLabels(data, "PrivateTest");
  const detections = await detectFerImages(detector, pixels, config.detector, config.detector.min_score);
  const aligned = alignFerImages(pixels, detections, config.alignment.template);
  const ferplus: number[] = [];
  const fer2013: number[] = [];
  for (let start = 0; start < labels.length; start += BATCH) {
    const crops = [];
    for (let i = start; i < Math.min(labels.length, start + BATCH); i++) crops.push(aligned.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE));
    const out = await classifyCrops(classifier, crops, SIDE);
    ferplus.push(...out.ferplus.map(argmax));
    fer2013.push(...out.fer2013.map(argmax));
  }
  const baseline = await humanBaseline(pixels);

  const majority = labels.map((l) => ferplusMajority(l.votes));
  const original = labels.map((l) => l.fer2013);
  const ours = { ferplus: accuracy(ferplus, majority), fer2013: accuracy(fer2013, original) };
  const human = { ferplus: accuracy(baseline.map((c) => FER2013_TO_FERPLUS[c]!), majority), fer2013: accuracy(baseline, original) };
  return {
    split: "FER2013 PrivateTest = FER+ test",
    ferplus_accuracy: ours.ferplus.accuracy,
    ferplus_images: ours.ferplus.n,
    ferplus_left_out: labels.length - ours.ferplus.n,
    fer2013_private_accuracy: ours.fer2013.accuracy,
    fer2013_images: ours.fer2013.n,
    // The FER+ head read as FER2013's 7 classes (contempt dropped), for comparison with the FER2013 head.
    fer2013_private_accuracy_from_ferplus_head: accuracy(ferplus.map((c) => FER2013_TO_FERPLUS.indexOf(c)), original).accuracy,
    detector_confident_fraction: Math.round(([...detections.scores].filter((s) => s >= CONFIDENT_SCORE).length / labels.length) * 10_000) / 10_000,
    baseline: "@vladmandic/human 3.3.6 emotion (oarriaga mini-Xception, FER2013 7 classes), tfjs wasm, dataset crops",
    baseline_ferplus_accuracy: human.ferplus.accuracy,
    baseline_fer2013_private_accuracy: human.fer2013.accuracy,
    bars: { ferplus_ge_0_85: ours.ferplus.accuracy >= 0.85, fer2013_private_ge_0_70: ours.fer2013.accuracy >= 0.7 },
  };
}
