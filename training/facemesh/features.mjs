// Writes the facemesh classifier's inputs for FER2013's meshed splits (training/face/extract-meshes.mjs):
// DIR/<split>.features.f32 (N × FEATURE_COUNT, src/models/facemesh/features.ts, so training reads what
// serving computes), and DIR/ratio.json, the training faces' median height-to-eye-width ratio that
// normalised input is corrected to. Run `npm run build` first.
//   node training/facemesh/features.mjs --meshes DIR
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { heightToEyeWidth } from "../../dist/src/models/face/face-frame.js";
import { MESH_FLOATS } from "../../dist/src/models/face/mesh.js";
import { classifierFeatures, FEATURE_COUNT } from "../../dist/src/models/facemesh/features.js";

const { values } = parseArgs({ options: { meshes: { type: "string" } } });
const read = (name) => new Float32Array(fs.readFileSync(path.join(values.meshes, name)).buffer.slice(0));

for (const split of ["Training", "PublicTest", "PrivateTest"]) {
  const meshes = read(`${split}.mesh.f32`), blendshapes = read(`${split}.blendshapes.f32`);
  const count = meshes.length / MESH_FLOATS;
  const rows = new Float32Array(count * FEATURE_COUNT);
  const ratios = [];
  for (let i = 0; i < count; i++) {
    const face = meshes.subarray(i * MESH_FLOATS, (i + 1) * MESH_FLOATS);
    rows.set(classifierFeatures(face, blendshapes.subarray(i * 52, (i + 1) * 52)), i * FEATURE_COUNT);
    ratios.push(heightToEyeWidth(face));
  }
  fs.writeFileSync(path.join(values.meshes, `${split}.features.f32`), Buffer.from(rows.buffer));
  if (split === "Training") {
    ratios.sort((a, b) => a - b);
    fs.writeFileSync(path.join(values.meshes, "ratio.json"), JSON.stringify({ height_to_eye_width: Number(ratios[Math.floor(count / 2)].toPrecision(5)) }));
  }
  console.error(`${split}: ${count} rows of ${FEATURE_COUNT}`);
}
