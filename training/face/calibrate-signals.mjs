// Fits the face signals' calibration (models/face/config.json mesh.signal_calibration) on FER2013's
// training split as meshed by extract-meshes.mjs: each signal component's raw value scores ~0 (0.018) at its
// 90th percentile over faces whose FER+ majority is neutral, and ~1 (0.982) at its 99th percentile over all
// faces (src/models/face/action-units.ts), or for a blendshape
// at least MIN_BLENDSHAPE_SPAN above 0 (a blendshape that barely moves on these faces, such as
// cheekPuff, would otherwise turn its noise into full scores). Run `npm run build` first.
//   node training/face/calibrate-signals.mjs --meshes DIR
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ferplusMajority } from "../../dist/eval/fer2013.js";
import { FACE_SIGNALS, rawSignals, SIGNAL_COMPONENTS } from "../../dist/src/models/face/action-units.js";
import { modelDirectory } from "../../dist/src/runtime/paths.js";

const MIN_BLENDSHAPE_SPAN = 0.2;
const NEUTRAL_QUANTILE = 0.9;
const { values } = parseArgs({ options: { meshes: { type: "string" } } });
const read = (name) => new Float32Array(fs.readFileSync(path.join(values.meshes, name)).buffer.slice(0));
const meta = JSON.parse(fs.readFileSync(path.join(values.meshes, "Training.json"), "utf8"));
const meshes = read("Training.mesh.f32"), blendshapes = read("Training.blendshapes.f32");
const meshFloats = meshes.length / meta.count, blendFloats = blendshapes.length / meta.count;
const neutral = meta.ferplus_votes.map((votes) => ferplusMajority(votes ?? undefined) === 0);

const raw = Array.from({ length: meta.count }, (_, i) => rawSignals({
  mesh: meshes.subarray(i * meshFloats, (i + 1) * meshFloats),
  blendshapes: blendshapes.subarray(i * blendFloats, (i + 1) * blendFloats),
}));
const quantile = (values, q) => {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const round = (v) => Number(v.toPrecision(5));
const calibration = {};
FACE_SIGNALS.forEach((signal, k) => {
  const components = SIGNAL_COMPONENTS[signal] ?? [];
  if (components.length === 0) return;
  calibration[signal] = components.map((component, c) => {
    const all = raw.map((r) => r[k][c]);
    const zero = quantile(all.filter((_, i) => neutral[i]), NEUTRAL_QUANTILE);
    const one = Math.max(quantile(all, 0.99), component.blendshape ? zero + MIN_BLENDSHAPE_SPAN : -Infinity);
    if (!(one > zero)) throw new Error(`${signal} component ${c}: the 99th percentile ${one} is not above the neutral faces' ${zero}`);
    return [round(zero), round(one)];
  });
});
const file = `${modelDirectory("face")}config.json`;
const config = JSON.parse(fs.readFileSync(file, "utf8"));
config.mesh.signal_calibration = calibration;
fs.writeFileSync(file, `${JSON.stringify(config, null, 1)}\n`);
console.error(`${neutral.filter(Boolean).length} neutral of ${meta.count} training faces; calibration written to ${file}`);
console.log(JSON.stringify(calibration));
