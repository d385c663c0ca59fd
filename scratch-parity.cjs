const fs = require("fs"), vm = require("vm"), { execFileSync } = require("child_process");
globalThis.self = globalThis; globalThis.location = { origin: "", href: "" }; globalThis.require = require;
globalThis.importScripts = (p) => vm.runInThisContext(fs.readFileSync(p.replace("_threaded.js", ".js"), "utf8"));
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, init) => { const u = String(url); if (u.startsWith("/")) return new Response(fs.readFileSync(u), { headers: { "content-type": "application/wasm" } }); return realFetch(url, init); };
const tf = require("@tensorflow/tfjs-core"); require("@tensorflow/tfjs-backend-cpu");
const tflite = require("@tensorflow/tfjs-tflite");
const ort = require("onnxruntime-node");
const decode = (f) => { const b = execFileSync("ffmpeg", ["-v", "quiet", "-i", f, "-ac", "1", "-ar", "16000", "-f", "f32le", "-"]); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)); };
(async () => {
  const { readTflite } = await import("./dist/src/runtime/tflite.js");
  const { tfliteToOnnx } = await import("./dist/src/runtime/tflite-to-onnx.js");
  const { encodeOnnxModel } = await import("./dist/src/runtime/onnx-proto.js");
  await tf.setBackend("cpu");
  tflite.setWasmPath(__dirname + "/node_modules/@tensorflow/tfjs-tflite/wasm/");
  const bytes = fs.readFileSync("/work/shared/models/yamnet/yamnet.tflite");
  const model = await tflite.loadTFLiteModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), { numThreads: 1 });
  const s = await ort.InferenceSession.create(encodeOnnxModel(tfliteToOnnx(readTflite(bytes), { names: { input_1: "waveform", Identity: "scores", Identity_1: "log_mel" }, hybridActivations: process.env.HYB === "1" })));
  const files = ["speech_4s.wav", "whisper.wav", "mixed_pink.wav", "tone440_2s.wav", "fast_high_loud.wav"].map((f) => "/work/shared/samples/audio/" + f)
    .concat(["Actor_01", "Actor_05", "Actor_12"].flatMap((a) => fs.readdirSync("/work/shared/data/audio/ravdess/" + a).slice(0, 3).map((f) => `/work/shared/data/audio/ravdess/${a}/${f}`)));
  let worst = 0, worstMel = 0, agree = 0, n = 0, sumCorr = 0;
  for (const f of files) {
    const a = decode(f);
    for (let off = 0; off + 15600 <= a.length; off += 7680) {
      const x = a.slice(off, off + 15600);
      const out = model.predict(tf.tensor(x, [1, 15600]));
      const ref = out.Identity.dataSync();
      const r = await s.run({ waveform: new ort.Tensor("float32", x, [1, 15600]) });
      const got = r.scores.data;
      let d = 0; for (let i = 0; i < 521; i++) { d = Math.max(d, Math.abs(ref[i] - got[i])); globalThis.sad = (globalThis.sad ?? 0) + Math.abs(ref[i] - got[i]); } (globalThis.maxes ??= []).push(d);
      const argmax = (v) => v.indexOf(Math.max(...v));
      agree += argmax(Array.from(ref)) === argmax(Array.from(got)) ? 1 : 0; n++;
      worst = Math.max(worst, d);
      const mr = out.Identity_1.dataSync(), mg = r.log_mel.data; let dm = 0, at = 0; for (let i = 0; i < mr.length; i++) if (mr[i] > -4 && Math.abs(mr[i] - mg[i]) > dm) { dm = Math.abs(mr[i] - mg[i]); at = i; } worstMel = Math.max(worstMel, dm);
      if (process.env.DBG && dm > 1) { const row = Math.floor(at / 64); console.log(f, off, "row", row, "bin", at % 64, Array.from(mr.slice(row * 64, row * 64 + 12)).map((v) => v.toFixed(2)).join(" "), "|", Array.from(mg.slice(row * 64, row * 64 + 12)).map((v) => v.toFixed(2)).join(" ")); }
    }
  }
  const m = globalThis.maxes.sort((a, b) => a - b); console.log("meanAbs", globalThis.sad / (n * 521), "p50 max", m[n >> 1], "p90 max", m[Math.floor(n * 0.9)]);
  console.log({ patches: n, top1Agree: agree / n, worstScoreDiff: worst, worstMelDiffAboveMinus4: worstMel });
})().catch((e) => { console.error("ERR", e); process.exit(1); });
// debug
(async () => {})();
