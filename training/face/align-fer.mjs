// Runs the served face pipeline's detector and aligner over FER2013 (eval/fer2013.ts), so the classifier
// trains on crops framed exactly as at serving time. Writes, per split, the aligned 48×48 crops, and from
// the training split the landmark template (models/face/config.json alignment.template: each landmark
// coordinate's median over confidently detected training faces). Run `npm run build` first.
//   node training/face/align-fer.mjs --data ../shared/data/face/fer2013/ --detector FILE.onnx --out DIR
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadDetector } from "../../dist/src/models/face/inference.js";
import { CONFIDENT_SCORE, SIDE, alignFerImages, detectFerImages, loadFerImages } from "../../dist/eval/fer2013.js";
import { readFaceConfig } from "../../dist/src/models/face/config.js";

const { values } = parseArgs({ options: { data: { type: "string" }, out: { type: "string" }, detector: { type: "string" } } });
const data = values.data.endsWith("/") ? values.data : `${values.data}/`;
const session = await loadDetector(values.detector, { logSeverityLevel: 3, intraOpNumThreads: 2 });
const detector = readFaceConfig().detector;
const FILES = { Training: "training", PublicTest: "publictest", PrivateTest: "privatetest" };

const detected = {};
for (const split of Object.keys(FILES)) {
  const pixels = loadFerImages(data, split);
  detected[split] = { pixels, detections: await detectFerImages(session, pixels, detector, 0.05) };
  const confident = [...detected[split].detections.scores].filter((s) => s >= CONFIDENT_SCORE).length;
  console.error(`${split}: ${pixels.length / 2304} images, detected (score ≥ ${CONFIDENT_SCORE}) ${confident}`);
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const train = detected.Training.detections;
const confident = train.landmarks.filter((points, i) => points !== undefined && train.scores[i] >= CONFIDENT_SCORE);
const template = [0, 1, 2, 3, 4].map((k) => [0, 1].map((axis) => Math.round(median(confident.map((points) => points[k][axis])) * 100) / 100));
fs.writeFileSync(path.join(values.out, "template.json"), JSON.stringify({ size: SIDE, template }));
console.error("template", JSON.stringify(template));

for (const [split, file] of Object.entries(FILES)) {
  const { pixels, detections } = detected[split];
  fs.writeFileSync(path.join(values.out, `${file}.aligned.u8`), alignFerImages(pixels, detections, template));
}
