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
import { faceModelFiles, readFaceConfig, type FaceModelConfig } from "../src/models/face/config.js";
import { loadHumanModel } from "../src/models/face/embedding.js";
import { classifyCrops, loadDetector } from "../src/models/face/inference.js";
import { sharedDirectory } from "../src/runtime/paths.js";
import { rocAuc } from "./metrics.js";
import { faceSignals } from "../src/models/face/action-units.js";
import { describeFace } from "../src/models/face/descriptions.js";
import { FERPLUS_CLASSES, type FerPlusClass } from "../src/models/face/formulas.js";
import { FaceMeshNetworks } from "../src/models/face/mesh-inference.js";
import { facemeshConfigured } from "../src/models/facemesh/config.js";
import { FacemeshKernel } from "../src/models/facemesh/kernel.js";
import { descriptionAuc, prototypeAuc, strongestUnitShare, type GeometryRows } from "./face-geometry.js";
import { alignFerImages, CONFIDENT_SCORE, detectFerImages, ferplusMajority, loadFerImages, loadFerLabels, meshFerImages, SIDE, type FerDetections } from "./fer2013.js";
import type { EvalResult } from "./main.js";

const BATCH = 256;
/** ONNX intra-op threads of every network the evaluation runs. */
const THREADS = Number(process.env.MOODWIRE_EVAL_THREADS ?? 1);
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

/** Action units, descriptions and the facemesh model on the images' served meshes (eval/face-geometry.ts). */
interface GeometryResult {
  facs_prototype_auc: number;
  /** Absent when the facemesh model is not trained. */
  facemesh_ferplus_accuracy?: number;
  bars: Record<string, boolean>;
  details: Record<string, unknown>;
}

async function evaluateGeometry(config: FaceModelConfig, pixels: Uint8Array, detections: FerDetections, probabilities: Float32Array[], majority: (number | undefined)[]): Promise<GeometryResult> {
  const networks = await FaceMeshNetworks.load(faceModelFiles(config).mesh, THREADS);
  const measured = await meshFerImages(networks, pixels, detections, config.alignment.template);
  const kept = majority.flatMap((m, i) => (m === undefined ? [] : [i]));
  const signals = kept.map((i) => faceSignals(measured[i]!, config.mesh.signal_calibration));
  const rows: GeometryRows = { signals, descriptions: kept.map((i, n) => describeFace(probabilities[i]!, signals[n]!)), majority: kept.map((i) => majority[i]!) };
  const prototypes = prototypeAuc(rows);
  const details: Record<string, unknown> = {
    images: kept.length,
    facs_class_auc: prototypes.facs_class_auc,
    facs_unit_auc: prototypes.facs_unit_auc,
    description_auc: descriptionAuc(rows),
    strongest_unit_share: strongestUnitShare(rows),
    // The image classifier's own probability for each class, on the same images: how separable the classes are from pixels.
    reference_classifier_class_auc: Object.fromEntries(Object.keys(prototypes.facs_class_auc).map((cls) => {
      const k = FERPLUS_CLASSES.indexOf(cls as FerPlusClass);
      return [cls, Math.round(rocAuc(rows.majority.map((m) => m === k), kept.map((i) => probabilities[i]![k]!)) * 10_000) / 10_000];
    })),
  };
  const facsBar = { facs_prototype_auc_ge_0_80: prototypes.facs_prototype_auc >= 0.8 };
  if (!facemeshConfigured()) {
    return { facs_prototype_auc: prototypes.facs_prototype_auc, bars: facsBar, details: { ...details, facemesh: { skipped: "models/facemesh/config.json is missing (training/facemesh/train.py)" } } };
  }
  const facemesh = new FacemeshKernel();
  await facemesh.load({ intraOpThreads: THREADS });
  const analysed = await facemesh.analyse(kept.map((i) => measured[i]!.mesh));
  const predicted = analysed.map((a) => argmax(a.classes));
  const correct = predicted.filter((p, n) => p === rows.majority[n]).length;
  const facemeshAccuracy = Math.round((correct / kept.length) * 10_000) / 10_000;
  return {
    facs_prototype_auc: prototypes.facs_prototype_auc,
    facemesh_ferplus_accuracy: facemeshAccuracy,
    bars: { ...facsBar, facemesh_ferplus_accuracy_ge_0_65: facemeshAccuracy >= 0.65 },
    details,
  };
}

export async function run(): Promise<EvalResult> {
  const data = `${sharedDirectory()}data/face/fer2013/`;
  if (!existsSync(`${data}index.csv`)) return { skipped: `FER2013 not found at ${data} (set --shared or MOODWIRE_SHARED)` };
  const config = readFaceConfig();
  const files = faceModelFiles(config);
  for (const file of Object.values(files)) if (!existsSync(file)) return { skipped: `${file} is not installed (npm run fetch-models; train the classifier)` };
  const options: InferenceSession.SessionOptions = { intraOpNumThreads: THREADS, logSeverityLevel: 3 };
  const detector = await loadDetector(files.detector, options);
  const classifier = await InferenceSession.create(files.classifier, options);

  const pixels = loadFerImages(data, "PrivateTest");
  const labels = loadFerLabels(data, "PrivateTest");
  const detections = await detectFerImages(detector, pixels, config.detector, config.detector.min_score);
  const aligned = alignFerImages(pixels, detections, config.alignment.template);
  const probabilities: Float32Array[] = [];
  const fer2013: number[] = [];
  for (let start = 0; start < labels.length; start += BATCH) {
    const crops = [];
    for (let i = start; i < Math.min(labels.length, start + BATCH); i++) crops.push(aligned.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE));
    const out = await classifyCrops(classifier, crops, SIDE);
    probabilities.push(...out.ferplus);
    fer2013.push(...out.fer2013.map(argmax));
  }
  const ferplus = probabilities.map(argmax);
  const baseline = await humanBaseline(pixels);
  const majority = labels.map((l) => ferplusMajority(l.votes));
  const geometry = await evaluateGeometry(config, pixels, detections, probabilities, majority);

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
    facs_prototype_auc: geometry.facs_prototype_auc,
    facemesh_ferplus_accuracy: geometry.facemesh_ferplus_accuracy,
    bars: { ferplus_ge_0_85: ours.ferplus.accuracy >= 0.85, fer2013_private_ge_0_70: ours.fer2013.accuracy >= 0.7, ...geometry.bars },
    geometry: geometry.details,
  };
}
