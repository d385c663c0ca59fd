// Messages between the language model's main-thread wrapper and its worker-thread kernel.
// Both must survive structured cloning (plain objects, strings, numbers, typed arrays).

import type { LanguageGranularity } from "../../protocol/index.js";
import type { Segment } from "./segment.js";

export interface LanguageKernelInput {
  text: string;
  granularity: LanguageGranularity;
  sentiment: boolean;
  toxicity: boolean;
}

export interface LanguageKernelOutput {
  /** The predicted units; empty when the text holds no words. */
  segments: Segment[];
  /** segments.length × 53 probabilities, LANGUAGE_EMOTION_LABELS order. */
  emotions: Float32Array;
  /** segments.length × 9 distribution over "1".."9", when asked for. */
  sentiment?: Float32Array;
  /** segments.length × 6 probabilities, TOXICITY_LABELS order, when asked for. */
  toxicity?: Float32Array;
}
