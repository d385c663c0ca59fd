// Runs the served audio front end (src/models/audio-features) over RAVDESS and EmoDB and writes, per
// clip, its speech segments' functionals, so the prosody classifier trains on exactly what the server
// computes. One JSON line per clip. Run `npm run build` first.
//   node training/prosody/extract.mjs --shared ../shared/ --out DIR
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { decodeAudio } from "../../dist/src/media/audio.js";
import { AudioFrontEnd, FEATURE_NAMES } from "../../dist/src/models/audio-features/index.js";
import { loadCorpus } from "../../dist/eval/speech-corpora.js";

const { values } = parseArgs({ options: { shared: { type: "string" }, out: { type: "string" } } });
const frontEnd = await AudioFrontEnd.load(1);
fs.mkdirSync(values.out, { recursive: true });
fs.writeFileSync(path.join(values.out, "features.json"), JSON.stringify(FEATURE_NAMES));
for (const corpus of ["ravdess", "emodb"]) {
  const clips = loadCorpus(values.shared, corpus);
  const out = fs.createWriteStream(path.join(values.out, `${corpus}.jsonl`));
  let withoutSpeech = 0;
  for (const [i, clip] of clips.entries()) {
    const { samples } = await decodeAudio(fs.readFileSync(clip.path), {});
    const { segments } = await frontEnd.analyse(samples);
    if (segments.length === 0) withoutSpeech++;
    out.write(JSON.stringify({ ...clip, path: path.relative(values.shared, clip.path), segments: segments.map((s) => ({ begin: s.begin, end: s.end, features: Array.from(s.features) })) }) + "\n");
    if (i % 200 === 0) console.error(`${corpus}: ${i}/${clips.length}`);
  }
  await new Promise((resolve) => out.end(resolve));
  console.error(`${corpus}: ${clips.length} clips, ${withoutSpeech} without speech`);
}
