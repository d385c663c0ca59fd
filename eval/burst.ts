// `npm run eval -- burst`: vocal bursts against the Deeply Nonverbal Vocalization open sample
// (MOODWIRE_SHARED eval/audio/nonverbal: 727 clips, 16 classes, CC BY-NC-ND, evaluation only: nothing
// here trains, tunes or calibrates) and acted speech (RAVDESS, 1,440 clips) plus the synthetic speech
// samples as the no-burst side.
// * burst_auc: mean ROC-AUC of laugh, cry and scream clips against every other nonverbal clip and all of
//   RAVDESS, each clip scored by its family's peak patch score;
// * detection_rate: per nonverbal class, the share of clips with an event of its family at the shipped
//   thresholds (and with any event at all);
// * false_bursts_per_minute on speech: events found in RAVDESS and in the synthetic speech samples.
// Baseline, same clips and run: the single AudioSet class of each family's name (Laughter; Crying,
// sobbing; Screaming) instead of the family's peak.

import { existsSync, readFileSync } from "node:fs";
import { decodeAudio } from "../src/media/audio.js";
import { AUDIO_SAMPLE_RATE } from "../src/media/types.js";
import { detectEvents, type BurstEvent } from "../src/models/burst/events.js";
import { BURST_FAMILIES, type BurstFamily } from "../src/models/burst/families.js";
import { BurstScorer } from "../src/models/burst/kernel.js";
import { CLASS_COUNT, cutPatches, Yamnet, yamnetClassNames, yamnetInstalled, yamnetPaths } from "../src/models/burst/yamnet.js";
import { sharedDirectory } from "../src/runtime/paths.js";
import type { EvalResult } from "./main.js";
import { parseCsv, rocAuc } from "./metrics.js";
import { progress } from "./report.js";
import { loadCorpus } from "./speech-corpora.js";

/** The nonverbal set's classes that a burst family stands for. */
const CLASS_FAMILY: Readonly<Record<string, BurstFamily>> = {
  laughing: "laugh", crying: "cry", screaming: "scream", moaning: "moan", sighing: "sigh", panting: "pant",
  coughing: "cough", "throat-clearing": "throat_clear", sneezing: "sneeze",
};
const AUC_FAMILIES: readonly { family: BurstFamily; nonverbal: string; baselineClass: string }[] = [
  { family: "laugh", nonverbal: "laughing", baselineClass: "Laughter" },
  { family: "cry", nonverbal: "crying", baselineClass: "Crying, sobbing" },
  { family: "scream", nonverbal: "screaming", baselineClass: "Screaming" },
];
const SYNTHETIC_SPEECH = ["speech_4s.wav", "neutral_16k.wav", "neutral_en-us.wav", "fast_high_loud.wav", "slow_low_quiet.wav", "ssml_test.wav", "whisper.wav", "concat_speech_silence_speech.wav"];

interface ScoredClip {
  group: string;
  seconds: number;
  /** Per family, its peak patch score over the clip. */
  familyPeaks: Float32Array;
  /** Per baseline class, its peak patch score. */
  baselinePeaks: number[];
  events: BurstEvent[];
}

const round = (value: number): number => Math.round(value * 10_000) / 10_000;

export async function run(): Promise<EvalResult> {
  const shared = sharedDirectory();
  const nonverbalDir = `${shared}eval/audio/nonverbal/`;
  if (!existsSync(`${nonverbalDir}labels.csv`)) return { skipped: `the nonverbal evaluation set is not under ${nonverbalDir} (set --shared or MOODWIRE_SHARED)` };
  if (!existsSync(`${shared}data/audio/ravdess/labels.csv`)) return { skipped: `RAVDESS not found under ${shared}data/audio` };
  if (!yamnetInstalled()) return { skipped: `${yamnetPaths().model} is missing (npm run fetch-models)` };
  const started = performance.now();
  // The served scorer (silence gate, families) for the model; YAMNet's raw scores for the baseline.
  const scorer = await BurstScorer.load(1);
  const yamnet = await Yamnet.load(1);
  const names = yamnetClassNames();
  const baselineIndices = AUC_FAMILIES.map((a) => names.indexOf(a.baselineClass));

  const [header, ...rows] = parseCsv(readFileSync(`${nonverbalDir}labels.csv`, "utf8"));
  const column = (name: string) => header!.indexOf(name);
  const sources = [
    ...rows.map((row) => ({ group: row[column("class")]!, path: `${nonverbalDir}${row[column("path")]}` })),
    ...loadCorpus(shared, "ravdess").map((clip) => ({ group: "ravdess", path: clip.path })),
    ...SYNTHETIC_SPEECH.map((file) => `${shared}samples/audio/${file}`).filter(existsSync).map((path) => ({ group: "synthetic_speech", path })),
  ];
  const scored: ScoredClip[] = [];
  const tick = progress("burst eval", sources.length);
  for (const [i, source] of sources.entries()) {
    tick(i);
    const { samples } = await decodeAudio(readFileSync(source.path), {});
    const [{ offsets, families }] = await scorer.score([samples]) as [{ offsets: number[]; families: Float32Array }];
    const scores = await yamnet.scores(cutPatches(samples, offsets), offsets.length);
    const familyPeaks = Float32Array.from(BURST_FAMILIES, (_, f) => Math.max(...offsets.map((_, p) => families[p * BURST_FAMILIES.length + f]!)));
    const baselinePeaks = baselineIndices.map((k) => Math.max(...offsets.map((_, p) => scores[p * CLASS_COUNT + k]!)));
    scored.push({ group: source.group, seconds: samples.length / AUDIO_SAMPLE_RATE, familyPeaks, baselinePeaks, events: detectEvents(families, offsets, samples.length) });
  }
  tick(sources.length);

  const negatives = (c: ScoredClip, nonverbal: string) => c.group !== nonverbal;
  const aucs = AUC_FAMILIES.map(({ family, nonverbal }, a) => {
    const f = BURST_FAMILIES.indexOf(family);
    const pool = scored.filter((c) => c.group === nonverbal || negatives(c, nonverbal));
    return {
      family,
      auc: rocAuc(pool.map((c) => c.group === nonverbal), pool.map((c) => c.familyPeaks[f]!)),
      baseline: rocAuc(pool.map((c) => c.group === nonverbal), pool.map((c) => c.baselinePeaks[a]!)),
    };
  });
  const classes = [...new Set(rows.map((row) => row[column("class")]!))].sort();
  const detection = Object.fromEntries(classes.map((name) => {
    const clips = scored.filter((c) => c.group === name);
    const family = CLASS_FAMILY[name];
    const f = family === undefined ? -1 : BURST_FAMILIES.indexOf(family);
    return [name, {
      family: family ?? null,
      clips: clips.length,
      own_family: family === undefined ? null : round(clips.filter((c) => c.events.some((e) => e.peaks[f]! > 0)).length / clips.length),
      any_event: round(clips.filter((c) => c.events.length > 0).length / clips.length),
    }];
  }));
  const falseRate = (group: string) => {
    const clips = scored.filter((c) => c.group === group);
    const minutes = clips.reduce((sum, c) => sum + c.seconds, 0) / 60;
    const events = clips.reduce((sum, c) => sum + c.events.length, 0);
    return { clips: clips.length, minutes: round(minutes), events, per_minute: round(events / minutes) };
  };
  const ravdess = falseRate("ravdess");
  const synthetic = falseRate("synthetic_speech");
  const speechMinutes = ravdess.minutes + synthetic.minutes;
  return {
    burst_auc: round(aucs.reduce((sum, a) => sum + a.auc, 0) / aucs.length),
    auc: Object.fromEntries(aucs.map((a) => [a.family, round(a.auc)])),
    baseline_single_class_auc: round(aucs.reduce((sum, a) => sum + a.baseline, 0) / aucs.length),
    baseline_auc: Object.fromEntries(aucs.map((a) => [a.family, round(a.baseline)])),
    detection_rate: detection,
    false_bursts_per_minute: round((ravdess.events + synthetic.events) / speechMinutes),
    false_bursts: { ravdess, synthetic_speech: synthetic },
    bars: { burst_auc_ge_0_95: aucs.reduce((sum, a) => sum + a.auc, 0) / aucs.length >= 0.95, false_bursts_per_minute_le_1: (ravdess.events + synthetic.events) / speechMinutes <= 1 },
    seconds: Math.round((performance.now() - started) / 1000),
  };
}
