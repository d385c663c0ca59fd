// Runs the served face mesh over FER2013's splits (eval/fer2013.ts: the served detector, the mesh crop,
// FaceMesh V2 and the blendshape network) and writes, per split, what the signal calibration and the
// facemesh classifier learn from: DIR/<split>.mesh.f32 (N×478×3, the 48×48 image's pixels),
// DIR/<split>.blendshapes.f32 (N×52), DIR/<split>.json (presence logits, labels). Run `npm run build` first.
//   node training/face/extract-meshes.mjs --data ../shared/data/face/fer2013/ --out DIR [--split Training]
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadDetector } from "../../dist/src/models/face/inference.js";
import { detectFerImages, loadFerImages, loadFerLabels, meshFerImages } from "../../dist/eval/fer2013.js";
import { faceModelFiles, readFaceConfig } from "../../dist/src/models/face/config.js";
import { FaceMeshNetworks } from "../../dist/src/models/face/mesh-inference.js";

const { values } = parseArgs({ options: { data: { type: "string" }, out: { type: "string" }, split: { type: "string", multiple: true }, threads: { type: "string", default: "2" } } });
const data = values.data.endsWith("/") ? values.data : `${values.data}/`;
const threads = Number(values.threads);
const config = readFaceConfig();
const files = faceModelFiles(config);
const detector = await loadDetector(files.detector, { logSeverityLevel: 3, intraOpNumThreads: threads });
const networks = await FaceMeshNetworks.load(files.mesh, threads);
fs.mkdirSync(values.out, { recursive: true });

for (const split of values.split ?? ["Training", "PublicTest", "PrivateTest"]) {
  const started = Date.now();
  const pixels = loadFerImages(data, split);
  const labels = loadFerLabels(data, split);
  const detections = await detectFerImages(detector, pixels, config.detector, config.detector.min_score);
  const faces = await meshFerImages(networks, pixels, detections, config.alignment.template, (done) => {
    if (done % 2048 === 0) console.error(`${split}: ${done}/${labels.length} meshed, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  });
  const join = (key) => {
    const out = new Float32Array(faces.length * faces[0][key].length);
    faces.forEach((face, i) => out.set(face[key], i * face[key].length));
    return Buffer.from(out.buffer);
  };
  fs.writeFileSync(path.join(values.out, `${split}.mesh.f32`), join("mesh"));
  fs.writeFileSync(path.join(values.out, `${split}.blendshapes.f32`), join("blendshapes"));
  fs.writeFileSync(path.join(values.out, `${split}.json`), JSON.stringify({
    count: faces.length,
    presence: faces.map((f) => Math.round(f.presence * 1000) / 1000),
    detector_score: [...detections.scores].map((s) => Math.round(s * 1000) / 1000),
    fer2013: labels.map((l) => l.fer2013),
    ferplus_votes: labels.map((l) => l.votes ?? null),
  }));
  console.error(`${split}: ${faces.length} faces in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
