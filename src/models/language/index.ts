// The language model (spec §2.2, §3.1 LanguageItem): emotional language, sentiment and toxicity for text,
// computed by ./kernel.js in a pool of worker threads.

import { existsSync } from "node:fs";
import type { DecodedMedia } from "../../media/types.js";
import { NO_DECODE_NEEDS } from "../../media/types.js";
import { LANGUAGE_EMOTION_LABELS, noDetection, SENTIMENT_LABELS, TOXICITY_LABELS, type LanguageConfig, type LanguagePrediction, type ModelOutput } from "../../protocol/index.js";
import { labelScores } from "../../protocol/node/index.js";
import { modelDirectory } from "../../runtime/paths.js";
import type { KernelHandle } from "../../runtime/worker-pool.js";
import type { ExpressionModel, ModelFactory, ModelRuntimeOptions, PredictContext } from "../types.js";
import { CONFIG_FILE, MODEL_FILE } from "./config.js";
import type { LanguageKernelInput, LanguageKernelOutput } from "./kernel-types.js";

/** Longest text (UTF-16 units) run on the main thread when the pool is idle: ~5 ms at word granularity
 * on the 2-core machine (~1 ms per 100 characters); longer texts always go to a worker. */
const INLINE_TEXT_LIMIT = 400;

/** Turns a kernel output into wire predictions, or the nested W0104 warning when nothing was found. */
export function toModelOutput(output: LanguageKernelOutput): ModelOutput<LanguagePrediction> {
  if (output.segments.length === 0) return noDetection("language");
  const predictions = output.segments.map((segment, row): LanguagePrediction => {
    const prediction: LanguagePrediction = {
      text: segment.text,
      position: { begin: segment.begin, end: segment.end },
      emotions: labelScores(LANGUAGE_EMOTION_LABELS, output.emotions, row),
    };
    if (output.sentiment !== undefined) prediction.sentiment = labelScores(SENTIMENT_LABELS, output.sentiment, row);
    if (output.toxicity !== undefined) prediction.toxicity = labelScores(TOXICITY_LABELS, output.toxicity, row);
    return prediction;
  });
  return { predictions };
}

/** A text's weight in a batch: the work grows with its length (a 10,000-character text weighs 10). */
const CHARACTERS_PER_WEIGHT = 1000;

class LanguageModel implements ExpressionModel<"language"> {
  readonly name = "language" as const;
  private readonly kernel: KernelHandle<LanguageKernelInput, LanguageKernelOutput>;

  constructor(options: ModelRuntimeOptions) {
    this.kernel = options.pool.add<LanguageKernelInput, LanguageKernelOutput>({
      url: new URL("./kernel.js", import.meta.url).href,
      weight: (input) => Math.ceil(input.text.length / CHARACTERS_PER_WEIGHT),
      maxWorkers: options.maxWorkers,
      // A short text takes a few milliseconds, short enough to run on the main thread when nothing else
      // is waiting: a lone user's request then skips the hand-off to a worker and back (~0.3 ms of ~2.5).
      ...(options.inlineWhenIdle ? { inlineWhenIdle: (input: LanguageKernelInput) => input.text.length <= INLINE_TEXT_LIMIT } : {}),
    });
  }

  async load(): Promise<void> {
    // Each worker's kernel runs a warm-up inference while loading; one more through the pool checks the
    // whole path (batching, cloning) before the server reports ready.
    await this.kernel.run({ text: "I am glad you came.", granularity: "sentence", sentiment: true, toxicity: true });
  }

  async predict(media: DecodedMedia, config: LanguageConfig, _context: PredictContext): Promise<ModelOutput<LanguagePrediction>> {
    if (media.kind !== "text") throw new Error(`the language model cannot read ${media.kind} media`);
    const output = await this.kernel.run({
      text: media.text,
      granularity: config.granularity,
      sentiment: config.sentiment,
      toxicity: config.toxicity,
    });
    return toModelOutput(output);
  }
}

export const languageModel: ModelFactory<"language"> = {
  name: "language",
  // Text needs no decoding: the payload's text is the input.
  needs: () => NO_DECODE_NEEDS,
  isInstalled(): boolean {
    const directory = modelDirectory("language");
    return existsSync(`${directory}${MODEL_FILE}`) && existsSync(`${directory}${CONFIG_FILE}`);
  },
  create(options: ModelRuntimeOptions): ExpressionModel<"language"> {
    return new LanguageModel(options);
  },
  benchmark: async () => (await import("./benchmark.js")).LANGUAGE_BENCHMARK,
};
