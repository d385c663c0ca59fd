// The TFLite → ONNX conversion checked for parity with Google's TFLite interpreter (the wasm build in
// the @tensorflow/tfjs-tflite dev dependency) on YAMNet, the one TFLite file Moodwire converts, over
// real audio: speech, a whisper, noise and a tone from the shared samples. Skipped, with a message,
// when YAMNet is not installed or the samples are absent.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { decodeAudio } from "../media/audio.js";
import { CLASS_COUNT, cutPatches, patchOffsets, PATCH_SAMPLES, Yamnet, yamnetInstalled, yamnetPaths } from "../models/burst/yamnet.js";
import { loadTfliteReference, type TfliteReference } from "../../tests/support/tflite-reference.js";
import { sharedDirectory } from "./paths.js";
import { readTflite } from "./tflite.js";

const SAMPLES = `${sharedDirectory()}samples/audio/`;
const CLIPS = ["speech_4s.wav", "whisper.wav", "mixed_pink.wav", "tone440_2s.wav", "fast_high_loud.wav"];
const SKIP = !yamnetInstalled()
  ? `YAMNet is not installed (${yamnetPaths().model}; npm run fetch-models)`
  : !existsSync(`${SAMPLES}speech_4s.wav`) ? `the shared audio samples are absent (${SAMPLES}): set MOODWIRE_SHARED` : false;
if (SKIP !== false) console.log(`# TFLite conversion parity skipped: ${SKIP}`);

describe("YAMNet converted to ONNX", { skip: SKIP }, () => {
  let reference: TfliteReference;
  let converted: Yamnet;
  const patches: Float32Array[] = [];

  before(async () => {
    reference = await loadTfliteReference(yamnetPaths().model);
    converted = await Yamnet.load(1);
    for (const clip of CLIPS) {
      const { samples } = await decodeAudio(readFileSync(`${SAMPLES}${clip}`), {});
      const offsets = patchOffsets(samples.length);
      const cut = cutPatches(samples, offsets);
      offsets.forEach((_, i) => patches.push(cut.subarray(i * PATCH_SAMPLES, (i + 1) * PATCH_SAMPLES)));
    }
  });

  it("reads the file's graph: one waveform input, scores and log-mel outputs", () => {
    const graph = readTflite(readFileSync(yamnetPaths().model));
    assert.deepEqual(graph.inputs.map((i) => graph.tensors[i]!.shape), [[1, PATCH_SAMPLES]]);
    assert.deepEqual(graph.outputs.map((i) => graph.tensors[i]!.shape), [[1, CLASS_COUNT], [96, 64]]);
  });

  it("scores every patch as the TFLite interpreter does, batched in one run", async () => {
    const batch = new Float32Array(patches.length * PATCH_SAMPLES);
    patches.forEach((patch, i) => batch.set(patch, i * PATCH_SAMPLES));
    const scores = await converted.scores(batch, patches.length);
    let sumAbs = 0;
    let worst = 0;
    let sameTop = 0;
    patches.forEach((patch, i) => {
      const expected = reference.run(patch, [1, PATCH_SAMPLES]).Identity!;
      const got = scores.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT);
      for (let k = 0; k < CLASS_COUNT; k++) {
        const diff = Math.abs(expected[k]! - got[k]!);
        sumAbs += diff;
        worst = Math.max(worst, diff);
      }
      const top = (v: ArrayLike<number>) => Array.prototype.indexOf.call(v, Math.max(...Array.from(v)));
      if (top(expected) === top(got)) sameTop++;
    });
    // The residue is rounding at exact halves and float summation order inside int8-rounded activations.
    assert.equal(sameTop, patches.length, "the top class of every patch");
    assert.ok(sumAbs / (patches.length * CLASS_COUNT) < 1e-3, `mean absolute score difference ${sumAbs / (patches.length * CLASS_COUNT)}`);
    assert.ok(worst < 0.2, `largest score difference ${worst}`);
  });
});
