// Test-double models, one set for every suite: conformance fakes with deterministic scores, gated and
// failing doubles, and the fuzz stand-ins. Each needs what the real model needs and answers a model's
// nested warning from the protocol's model table. Test-only: never registered in src/models.

import type { DecodedMedia, DecodeNeeds } from "../../src/media/types.js";
import { NO_DECODE_NEEDS } from "../../src/media/types.js";
import { languageModel } from "../../src/models/language/index.js";
import type { ExpressionModel, ModelFactory, PredictContext } from "../../src/models/types.js";
import {
  EXPRESSION_LABELS,
  LANGUAGE_EMOTION_LABELS,
  noDetection,
  SENTIMENT_LABELS,
  TOXICITY_LABELS,
  type FaceConfig,
  type LanguageConfig,
  type ModelName,
  type ModelOutput,
  type Score,
} from "../../src/protocol/index.js";
import { KernelError, KernelTimeoutError } from "../../src/runtime/worker-pool.js";

type PredictFn = (media: DecodedMedia, config: unknown, context: PredictContext) => Promise<ModelOutput<unknown>>;

const AUDIO_WINDOW: DecodeNeeds = { frameRate: undefined, audio: true, audioWindow: true };

/** What a double of each model needs decoded: what the real model needs from the same config. */
const NEEDS: Readonly<Record<ModelName, (config: unknown) => DecodeNeeds>> = {
  burst: () => AUDIO_WINDOW,
  face: (config) => ({ ...NO_DECODE_NEEDS, frameRate: (config as FaceConfig).fps_pred }),
  facemesh: () => NO_DECODE_NEEDS,
  language: () => NO_DECODE_NEEDS,
  prosody: () => AUDIO_WINDOW,
};

/** A ModelFactory whose model answers with `predict`; always "installed", loads instantly. */
export function fakeFactory(name: ModelName, predict: PredictFn): ModelFactory {
  const model: ExpressionModel = {
    name,
    load: async () => undefined,
    predict: predict as ExpressionModel["predict"],
    close: async () => undefined,
  };
  return { name, needs: NEEDS[name], isInstalled: () => true, create: () => model };
}

function scores(labels: readonly string[], seed: number): Score[] {
  // Deterministic, label-dependent pseudo-scores in (0, 1).
  return labels.map((name, i) => ({ name, score: ((Math.sin(seed * 12.9898 + i * 78.233) + 1) / 2) * 0.98 + 0.01 }));
}

function distribution(labels: readonly string[], seed: number): Score[] {
  const raw = scores(labels, seed);
  const total = raw.reduce((sum, s) => sum + s.score, 0);
  return raw.map((s) => ({ name: s.name, score: s.score / total }));
}

/** Fake face model: images and video; always reports "no faces" with the nested-warning shape (spec §3.3). */
export const fakeFace = fakeFactory("face", async () => noDetection("face"));

/** Fake prosody model: audio and video; one segment spanning the audio window. */
export const fakeProsody = fakeFactory("prosody", async (_media, _config, context) => {
  const window = context.audioWindow;
  const begin = window?.startTime ?? 0;
  const end = begin + (window === undefined ? 0 : window.samples.length / 16_000);
  return { predictions: [{ time: { begin, end }, emotions: scores(EXPRESSION_LABELS, 1) }] };
});

/** Fake facemesh model: one prediction per face. */
export const fakeFacemesh = fakeFactory("facemesh", async (media) => {
  const faces = media.kind === "facemesh" ? media.faces : [];
  return { predictions: faces.map((_, i) => ({ emotions: scores(EXPRESSION_LABELS, i + 2) })) };
});

/** A model that always fails like a crashed kernel worker (I0100), or one that timed out (I0101). */
export function throwingFactory(name: ModelName, timeout = false): ModelFactory {
  return fakeFactory(name, async () => {
    throw timeout ? new KernelTimeoutError("test double: simulated kernel timeout") : new KernelError("test double: simulated kernel failure");
  });
}

/**
 * TEST DOUBLE for the language model, used only when the trained ONNX weights are not installed (or
 * where a test needs a fast, deterministic model). Its scores are meaningless; only the shape is real:
 * 53 alphabetical emotions, 9 sentiment levels summing to 1, 6 toxicity scores.
 */
const fakeLanguagePredict: PredictFn = async (media, config) => {
  const text = media.kind === "text" ? media.text : "";
  const { granularity, sentiment, toxicity } = config as LanguageConfig;
  const spans: { text: string; begin: number; end: number }[] = [];
  if (granularity === "passage") {
    spans.push({ text, begin: 0, end: text.length });
  } else {
    for (const match of text.matchAll(/\S+/g)) spans.push({ text: match[0], begin: match.index, end: match.index + match[0].length });
  }
  if (spans.length === 0) return noDetection("language");
  return {
    predictions: spans.map((span, i) => {
      const item: Record<string, unknown> = {
        text: span.text,
        position: { begin: span.begin, end: span.end },
        emotions: scores(LANGUAGE_EMOTION_LABELS, i + 1),
      };
      if (sentiment) item.sentiment = distribution(SENTIMENT_LABELS, i + 3);
      if (toxicity) item.toxicity = scores(TOXICITY_LABELS, i + 5);
      return item;
    }),
  };
};

export const fakeLanguage = fakeFactory("language", fakeLanguagePredict);

/** A language double whose predictions wait for `release()`; `started` resolves when a prediction begins. */
export function gatedLanguage(): { factory: ModelFactory; started: Promise<void>; release: () => void } {
  let markStarted!: () => void;
  let release!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const factory = fakeFactory("language", async (media, config, context) => {
    markStarted();
    await gate;
    return fakeLanguagePredict(media, config, context);
  });
  return { factory, started, release };
}

/** Whether the trained language model (models/language/language.onnx) is installed. */
export function realLanguageInstalled(): boolean {
  try {
    return languageModel.isInstalled();
  } catch {
    return false;
  }
}

/** The real language factory when its weights are installed, else the labelled test double. */
export function languageFactory(): ModelFactory {
  return realLanguageInstalled() ? (languageModel as ModelFactory) : fakeLanguage;
}

// --- Fuzz stand-ins -------------------------------------------------------------------------------
// For models whose weights are not installed, so hostile media still travels the whole path (sniffing,
// sharp, WAV parsing, ffmpeg) instead of stopping at E0103. They do no inference.

function stubOutput(name: ModelName, media: DecodedMedia): ModelOutput {
  if (name === "facemesh" && media.kind === "facemesh") return { predictions: media.faces.map(() => ({ emotions: [] })) };
  if (name === "language" && media.kind === "text" && /\p{L}/u.test(media.text)) {
    return { predictions: [{ text: media.text.slice(0, 16), position: { begin: 0, end: Math.min(16, media.text.length) }, emotions: [] }] };
  }
  return noDetection(name);
}

export function stubFactory(name: ModelName): ModelFactory {
  return fakeFactory(name, async (media) => stubOutput(name, media));
}

/** `real` factories whose weights are installed, plus stubs for every other model name. */
export function withStubs(real: readonly ModelFactory[], names: readonly ModelName[]): { factories: ModelFactory[]; stubbed: ModelName[] } {
  const factories: ModelFactory[] = [];
  const stubbed: ModelName[] = [];
  for (const name of names) {
    const factory = real.find((f) => f.name === name && f.isInstalled());
    if (factory !== undefined) factories.push(factory);
    else {
      factories.push(stubFactory(name));
      stubbed.push(name);
    }
  }
  return { factories, stubbed };
}
