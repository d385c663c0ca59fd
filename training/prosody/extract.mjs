// Runs the served audio front end (src/models/audio-features) over RAVDESS and EmoDB and writes, per
// clip, its speech segments' functionals (one JSON line per clip, <corpus>.jsonl) and per-frame
// descriptors (float32, <corpus>.frames.bin; each segment's line gives its offset and frame count), so
// the prosody classifier trains on exactly what the server computes. With --variant, every clip is first
// augmented (augment.mjs) and the files are <corpus>.<variant>.jsonl / .frames.bin. Run `npm run build` first.
//   node training/prosody/extract.mjs --shared ../shared/ --out DIR [--variant speed|pitch-noise]
//       [--corpus ravdess|emodb]   (one corpus only; default both)
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { decodeAudio } from "../../dist/src/media/audio.js";
import { AudioFrontEnd, FEATURE_NAMES, FRAME_DESCRIPTORS } from "../../dist/src/models/audio-features/index.js";
import { loadCorpus } from "../../dist/eval/speech-corpora.js";
import { augmented } from "./augment.mjs";

const { values } = parseArgs({ options: { shared: { type: "string" }, out: { type: "string" }, variant: { type: "string" }, corpus: { type: "string", multiple: true, default: ["ravdess", "emodb"] } } });
const frontEnd = await AudioFrontEnd.load(1);
fs.mkdirSync(values.out, { recursive: true });
fs.writeFileSync(path.join(values.out, "features.json"), JSON.stringify({ features: FEATURE_NAMES, frame_descriptors: FRAME_DESCRIPTORS }));
for (const corpus of values.corpus) {
  const clips = loadCorpus(values.shared, corpus);
  const name = values.variant === undefined ? corpus : `${corpus}.${values.variant}`;
  const out = fs.createWriteStream(path.join(values.out, `${name}.jsonl`));
  const frames = fs.openSync(path.join(values.out, `${name}.frames.bin`), "w");
  let offset = 0, withoutSpeech = 0;
  for (const [i, clip] of clips.entries()) {
    const samples = values.variant === undefined ? (await decodeAudio(fs.readFileSync(clip.path), {})).samples : augmented(values.variant, clip.path, clip.speaker);
    const { segments } = await frontEnd.analyse(samples);
    if (segments.length === 0) withoutSpeech++;
    const written = segments.map((s) => {
      fs.writeSync(frames, Buffer.from(s.frames.buffer, s.frames.byteOffset, s.frames.byteLength));
      const entry = { begin: s.begin, end: s.end, features: Array.from(s.features), frames: { offset, count: s.frames.length / FRAME_DESCRIPTORS } };
      offset += s.frames.length;
      return entry;
    });
    out.write(JSON.stringify({ ...clip, path: path.relative(values.shared, clip.path), variant: values.variant, segments: written }) + "\n");
    if (i % 200 === 0) console.error(`${name}: ${i}/${clips.length}`);
  }
  fs.closeSync(frames);
  await new Promise((resolve) => out.end(resolve));
  console.error(`${name}: ${clips.length} clips, ${withoutSpeech} without speech`);
}
