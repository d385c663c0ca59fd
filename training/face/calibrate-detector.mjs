// Fits the face detector's calibration (models/face/config.json detector.calibration): a logistic curve
// from YuNet's raw score to the probability that a detection is a face. Positives: the best detection on
// each of the first N FER2013 training images (faces; FER+ votes "not a face" for 0.1 %). Negatives: every detection on the same faces
// with their 12-pixel blocks shuffled (the image statistics of faces, no face structure). Classes are
// weighted equally, so the probability is for even odds of face and non-face before the score is seen.
// Run `npm run build` first.
//   node training/face/calibrate-detector.mjs --data ../shared/data/face/fer2013/ --detector FILE.onnx
import { parseArgs } from "node:util";
import { loadDetector } from "../../dist/src/models/face/inference.js";
import { detectFerImages, loadFerImages } from "../../dist/eval/fer2013.js";
import { readFaceConfig } from "../../dist/src/models/face/config.js";

const { values } = parseArgs({ options: { data: { type: "string" }, detector: { type: "string" }, images: { type: "string", default: "8000" } } });
const MIN_SCORE = 0.05;
const session = await loadDetector(values.detector, { logSeverityLevel: 3, intraOpNumThreads: 2 });
const detector = readFaceConfig().detector;
const dataDir = values.data.endsWith("/") ? values.data : `${values.data}/`;
const count = Number(values.images);
const faces = loadFerImages(dataDir, "Training").subarray(0, count * 2304);

// Deterministic block shuffle (mulberry32).
let seed = 12345;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const scrambled = new Uint8Array(faces.length);
for (let i = 0; i < count; i++) {
  const order = [...Array(16).keys()];
  for (let k = 15; k > 0; k--) {
    const j = Math.floor(random() * (k + 1));
    [order[k], order[j]] = [order[j], order[k]];
  }
  for (let b = 0; b < 16; b++) {
    const from = order[b];
    for (let y = 0; y < 12; y++) {
      for (let x = 0; x < 12; x++) {
        scrambled[i * 2304 + (Math.floor(b / 4) * 12 + y) * 48 + (b % 4) * 12 + x] = faces[i * 2304 + (Math.floor(from / 4) * 12 + y) * 48 + (from % 4) * 12 + x];
      }
    }
  }
}

const positives = [...(await detectFerImages(session, faces, detector, MIN_SCORE)).scores].filter((s) => s >= MIN_SCORE);
const negatives = (await detectFerImages(session, scrambled, detector, MIN_SCORE)).all;
const logit = (s) => Math.log(Math.min(s, 1 - 1e-6) / (1 - Math.min(s, 1 - 1e-6)));

// Weighted logistic regression on logit(score) by Newton's method, with a small ridge on the slope.
const data = [...positives.map((s) => [logit(s), 1, 1 / positives.length]), ...negatives.map((s) => [logit(s), 0, 1 / negatives.length])];
let slope = 1, intercept = 0;
for (let iter = 0; iter < 50; iter++) {
  let g0 = 0, g1 = 1e-3 * slope, h00 = 0, h01 = 0, h11 = 1e-3;
  for (const [x, y, w] of data) {
    const p = 1 / (1 + Math.exp(-(slope * x + intercept)));
    g0 += w * (p - y); g1 += w * (p - y) * x;
    const v = w * p * (1 - p);
    h00 += v; h01 += v * x; h11 += v * x * x;
  }
  const det = h00 * h11 - h01 * h01;
  intercept -= (h11 * g0 - h01 * g1) / det;
  slope -= (h00 * g1 - h01 * g0) / det;
}
const scoreAt = (p) => 1 / (1 + Math.exp(-((Math.log(p / (1 - p)) - intercept) / slope)));
const quantile = (v, q) => [...v].sort((a, b) => a - b)[Math.floor(q * (v.length - 1))];
console.log(JSON.stringify({
  calibration: { slope: Math.round(slope * 1e4) / 1e4, intercept: Math.round(intercept * 1e4) / 1e4 },
  positives: positives.length, negatives: negatives.length,
  negative_score_p99: quantile(negatives, 0.99), negative_score_max: quantile(negatives, 1), positive_score_median: quantile(positives, 0.5),
  raw_score_for_prob: { "0.5": scoreAt(0.5), "0.9": scoreAt(0.9), "0.99": scoreAt(0.99) },
}));
