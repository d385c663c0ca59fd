// Loads models/language/language.onnx in onnxruntime-node, runs the reference batches written by
// train.py (training/language/fixtures/onnx_reference.json) and compares with PyTorch outputs.
// Usage: node training/language/check_onnx.mjs [path/to/language.onnx] [tolerance]
// Tolerance (max |onnx - torch| over all probabilities): 2e-3 for the float32 graph; the int8 graph
// (quantize.py) differs by a few hundredths, so it is checked with 0.1 (its quality is measured by the eval).
import { createRequire } from "node:module";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");
const here = dirname(fileURLToPath(import.meta.url));
const path = process.argv[2] ?? join(here, "..", "..", "models", "language", "language.onnx");
// train.py writes the references of a graph exported outside models/language beside that graph.
const besideGraph = join(dirname(path), "onnx_reference.json");
const refs = JSON.parse(readFileSync(existsSync(besideGraph) ? besideGraph : join(here, "fixtures", "onnx_reference.json"), "utf8"));
const s = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
console.log("inputs", s.inputNames, "outputs", s.outputNames, "size MB", (statSync(path).size / 1e6).toFixed(1));
// int64 [B, *] inputs of a graph with a GloVe member (glove_member.py), present in its references
const GLOVE_INPUTS = ["glove_ids", "glove_word", "piece_word"];
const int64 = (rows) => new ort.Tensor("int64", BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
const feedsOf = (ref) => {
  const B = ref.token_ids.length, T = ref.token_ids[0].length, S = ref.span_mask[0].length;
  return {
    token_ids: int64(ref.token_ids),
    token_mask: new ort.Tensor("float32", Float32Array.from(ref.token_mask.flat()), [B, T]),
    span_mask: new ort.Tensor("float32", Float32Array.from(ref.span_mask.flat(2)), [B, S, T]),
    ...Object.fromEntries(GLOVE_INPUTS.filter((k) => k in ref).map((k) => [k, int64(ref[k])])),
  };
};
let worst = 0;
for (const ref of refs) {
  const out = await s.run(feedsOf(ref));
  for (const k of ["emotions", "sentiment", "toxicity"]) {
    const got = out[k].data, exp = ref[k].flat(2);
    let m = 0;
    for (let i = 0; i < exp.length; i++) m = Math.max(m, Math.abs(got[i] - exp[i]));
    worst = Math.max(worst, m);
    console.log(k, "dims", out[k].dims, "max|onnx-torch|", m.toExponential(2));
  }
  const sent = out.sentiment.data.slice(0, 9);
  console.log("  sentiment[0,0] sum", sent.reduce((a, b) => a + b, 0).toFixed(6));
}
const r0 = refs[0], T = r0.token_ids[0].length, n = 20, t1 = performance.now();
for (let i = 0; i < n; i++) {
  await s.run({ token_ids: int64([r0.token_ids[0]]),
    token_mask: new ort.Tensor("float32", Float32Array.from(r0.token_mask[0]), [1, T]),
    span_mask: new ort.Tensor("float32", Float32Array.from(r0.span_mask[0][0]), [1, 1, T]),
    ...Object.fromEntries(GLOVE_INPUTS.filter((k) => k in r0).map((k) => [k, int64([r0[k][0]])])) });
}
console.log(`batch-1 latency ${((performance.now() - t1) / n).toFixed(2)} ms (T=${T}, 1 intra-op thread, shared CPU)`);
const tolerance = Number(process.argv[3] ?? 2e-3);
if (worst > tolerance) { console.error("FAIL: ONNX deviates from PyTorch by", worst); process.exit(1); }
console.log("OK");
