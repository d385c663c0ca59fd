// Runs the served face pipeline's detector and aligner over FER2013, so the classifier trains on crops
// framed exactly as at serving time. Writes, per split, the aligned 48×48 crops, the five landmarks and
// the detector score; and, from the training split, the landmark template (models/face/config.json's
// alignment.template). An image without a confident detection keeps its original framing.
//   node training/face/align-fer.mjs --data ../shared/data/face/fer2013 --detector FILE.onnx --out DIR
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { fitSimilarity, alignedCrop } from "../../dist/src/models/face/align.js";
import { SIDE, SPLIT_FILES, detectImages, greyToRgb, loadSplit, openDetector } from "./fer-canvas.mjs";

const { values } = parseArgs({ options: { data: { type: "string" }, out: { type: "string" }, detector: { type: "string" } } });
const CONFIDENT = 0.5;
const session = await openDetector(values.detector);

const detected = {};
for (const split of Object.keys(SPLIT_FILES)) {
  const pixels = loadSplit(values.data, split);
  detected[split] = { pixels, ...(await detectImages(session, pixels, 0.05)) };
  console.error(`${split}: ${pixels.length / 2304} images, detected (score ≥ ${CONFIDENT}) ${detected[split].scores.filter((s) => s >= CONFIDENT).length}`);
}

// The template: each landmark coordinate's median over confidently detected training faces.
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const train = detected.Training;
const template = [0, 1, 2, 3, 4].map((k) =>
  [0, 1].map((axis) => Math.round(median([...train.scores.keys()].filter((i) => train.scores[i] >= CONFIDENT).map((i) => train.landmarks[i * 10 + 2 * k + axis]))) * 100) / 100),
);
fs.writeFileSync(path.join(values.out, "template.json"), JSON.stringify({ size: SIDE, template }));
console.error("template", JSON.stringify(template));

for (const [split, file] of Object.entries(SPLIT_FILES)) {
  const { pixels, landmarks, scores } = detected[split];
  const aligned = new Uint8Array(pixels.length);
  for (let i = 0; i < scores.length; i++) {
    const grey = pixels.subarray(i * 2304, (i + 1) * 2304);
    if (scores[i] < CONFIDENT) {
      aligned.set(grey, i * 2304);
      continue;
    }
    const points = [0, 1, 2, 3, 4].map((k) => [landmarks[i * 10 + 2 * k], landmarks[i * 10 + 2 * k + 1]]);
    aligned.set(alignedCrop(greyToRgb(grey), fitSimilarity(points, template), SIDE), i * 2304);
  }
  fs.writeFileSync(path.join(values.out, `${file}.aligned.u8`), aligned);
  fs.writeFileSync(path.join(values.out, `${file}.landmarks.f32`), Buffer.from(landmarks.buffer));
  fs.writeFileSync(path.join(values.out, `${file}.scores.f32`), Buffer.from(scores.buffer));
}
