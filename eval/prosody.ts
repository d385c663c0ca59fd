// Prosody model evaluation on RAVDESS and EmoDB through the served front end (src/models/audio-features:
// decoding, VAD segments, functionals and frames) and the served classifier code (classifySegment):
// * ravdess_uar: 8 classes, speaker-independent. models/prosody/eval/ holds one model per fold, each
//   trained without that fold's actors (training/prosody/train.py --export); a clip is scored by the
//   model that never heard its speaker.
// * cross_corpus_uar: the model trained on RAVDESS alone, on EmoDB's 6 classes shared with RAVDESS.
// A clip's prediction averages its segments' class probabilities, weighted by duration. Features are
// normalised by the speaker's statistics over all of their clips, as a stream that has heard the speaker
// for a while is; `*_first_utterance` uses the prior alone, as the first utterance of a new stream is.

import { existsSync, readFileSync } from "node:fs";
import { InferenceSession } from "onnxruntime-node";
import { decodeAudio } from "../src/media/audio.js";
import { AudioFrontEnd } from "../src/models/audio-features/index.js";
import { CONFIG_PATH, readProsodyConfig } from "../src/models/prosody/config.js";
import { PROSODY_CLASSES, type ProsodyClass } from "../src/models/prosody/expressions.js";
import { classifySegment, type RawSegment } from "../src/models/prosody/kernel.js";
import { SpeakerStatistics, type SpeakerPrior, type StreamNormalisation } from "../src/models/prosody/statistics.js";
import { modelDirectory, sharedDirectory } from "../src/runtime/paths.js";
import type { EvalResult } from "./main.js";
import { progress } from "./report.js";
import { loadCorpus, type SpeechClip } from "./speech-corpora.js";

const RAVDESS_CLASSES: readonly ProsodyClass[] = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"];
const SHARED_CLASSES: readonly ProsodyClass[] = ["neutral", "happy", "sad", "angry", "fearful", "disgust"];

interface AnalysedClip {
  clip: SpeechClip;
  segments: RawSegment[];
  seconds: number[];
}

interface EvaluationModels {
  ravdess_folds: { file: string; speakers: string[] }[];
  cross_corpus: string;
}

async function analyse(clips: readonly SpeechClip[], frontEnd: AudioFrontEnd): Promise<AnalysedClip[]> {
  const analysed: AnalysedClip[] = [];
  const tick = progress(`prosody eval: ${clips[0]?.corpus ?? ""}`, clips.length);
  for (const [i, clip] of clips.entries()) {
    tick(i);
    const { samples } = await decodeAudio(readFileSync(clip.path), {});
    const { segments } = await frontEnd.analyse(samples);
    analysed.push({ clip, segments: segments.map(({ features, frames }) => ({ features, frames })), seconds: segments.map((s) => s.end - s.begin) });
  }
  tick(clips.length);
  return analysed;
}

/** Each speaker's statistics over all their segments (a stream that has heard them a while). */
function speakerNormalisations(clips: readonly AnalysedClip[], prior: SpeakerPrior): Map<string, StreamNormalisation> {
  const statistics = new Map<string, SpeakerStatistics>();
  for (const { clip, segments } of clips) {
    const stats = statistics.get(clip.speaker) ?? new SpeakerStatistics();
    for (const segment of segments) stats.add(segment.features, segment.frames);
    statistics.set(clip.speaker, stats);
  }
  // The prior worth nothing: the speaker's own statistics alone.
  const none: SpeakerPrior = { ...prior, segments: 0, frameCount: 0, voicedFrameCount: 0 };
  return new Map([...statistics].map(([speaker, stats]) => [speaker, stats.normalisation(none)]));
}

async function predict(session: InferenceSession, clip: AnalysedClip, normalisation: StreamNormalisation, allowed: readonly ProsodyClass[]): Promise<ProsodyClass> {
  const probabilities: Float32Array[] = [];
  for (const segment of clip.segments) probabilities.push((await classifySegment(session, segment, normalisation)).classes);
  const total = clip.seconds.reduce((a, b) => a + b, 0);
  const score = (name: ProsodyClass): number => {
    const k = PROSODY_CLASSES.indexOf(name);
    return clip.seconds.reduce((sum, seconds, n) => sum + probabilities[n]![k]! * seconds, 0) / total;
  };
  return allowed.reduce((best, name) => (score(name) > score(best) ? name : best));
}

/** Unweighted average recall over `classes`; clips without speech count as wrong. */
function uar(clips: readonly AnalysedClip[], predicted: readonly (ProsodyClass | undefined)[], classes: readonly ProsodyClass[]): number {
  const recalls = classes.map((name) => {
    const of = clips.map((c, i) => [c.clip.emotion, predicted[i]] as const).filter(([truth]) => truth === name);
    return of.filter(([, p]) => p === name).length / of.length;
  });
  return Math.round((recalls.reduce((a, b) => a + b, 0) / recalls.length) * 10_000) / 10_000;
}

async function scoreAll(clips: readonly AnalysedClip[], sessionOf: (clip: AnalysedClip) => InferenceSession, normalisationOf: (clip: AnalysedClip) => StreamNormalisation, classes: readonly ProsodyClass[]) {
  const predicted = await Promise.all(clips.map((c) => (c.segments.length === 0 ? undefined : predict(sessionOf(c), c, normalisationOf(c), classes))));
  return uar(clips, predicted, classes);
}

export async function run(): Promise<EvalResult> {
  const shared = sharedDirectory();
  if (!existsSync(`${shared}data/audio/ravdess/labels.csv`)) return { skipped: `RAVDESS not found under ${shared}data/audio (set --shared or MOODWIRE_SHARED)` };
  if (!existsSync(CONFIG_PATH())) return { skipped: `${CONFIG_PATH()} is missing (training/prosody/train.py --export)` };
  const config = readProsodyConfig();
  const evaluation = (JSON.parse(readFileSync(CONFIG_PATH(), "utf8")) as { evaluation: EvaluationModels }).evaluation;
  const load = (file: string) => InferenceSession.create(`${modelDirectory("prosody")}${file}`, { intraOpNumThreads: 1, logSeverityLevel: 3 });

  const frontEnd = await AudioFrontEnd.load(1);
  const started = performance.now();
  const ravdess = await analyse(loadCorpus(shared, "ravdess"), frontEnd);
  const emodb = (await analyse(loadCorpus(shared, "emodb"), frontEnd)).filter((c) => SHARED_CLASSES.includes(c.clip.emotion));
  const foldOf = new Map<string, InferenceSession>();
  for (const fold of evaluation.ravdess_folds) {
    const session = await load(fold.file);
    for (const speaker of fold.speakers) foldOf.set(speaker, session);
  }
  const crossCorpus = await load(evaluation.cross_corpus);
  const speakers = speakerNormalisations([...ravdess, ...emodb], config.prior);
  const byFold = (c: AnalysedClip) => foldOf.get(c.clip.speaker)!;
  const bySpeaker = (c: AnalysedClip) => speakers.get(c.clip.speaker)!;
  const prior = () => config.prior;
  const ravdessUar = await scoreAll(ravdess, byFold, bySpeaker, RAVDESS_CLASSES);
  const crossCorpusUar = await scoreAll(emodb, () => crossCorpus, bySpeaker, SHARED_CLASSES);
  return {
    ravdess_uar: ravdessUar,
    cross_corpus_uar: crossCorpusUar,
    ravdess_uar_first_utterance: await scoreAll(ravdess, byFold, prior, RAVDESS_CLASSES),
    cross_corpus_uar_first_utterance: await scoreAll(emodb, () => crossCorpus, prior, SHARED_CLASSES),
    clips: { ravdess: ravdess.length, emodb_shared_classes: emodb.length, without_speech: [...ravdess, ...emodb].filter((c) => c.segments.length === 0).length },
    chance: { ravdess: 1 / RAVDESS_CLASSES.length, cross_corpus: 1 / SHARED_CLASSES.length },
    seconds: Math.round((performance.now() - started) / 1000),
    bars: { ravdess_uar_ge_0_70: ravdessUar >= 0.7, cross_corpus_uar_ge_0_50: crossCorpusUar >= 0.5 },
  };
}
