// What the audio models (prosody, burst) share around their kernels: they read the stream's audio
// window, weigh a window by its length, and answer with time ranges on the stream timeline.

import { AUDIO_SAMPLE_RATE, type DecodeNeeds } from "../../media/types.js";
import { EXPRESSION_LABELS, type ModelOutput, type TimedPrediction } from "../../protocol/index.js";
import { labelScores } from "../../protocol/node/index.js";
import type { AudioWindowView } from "../../session/types.js";

/** Audio decoded, appended to the connection's window, the whole window analysed. */
export const AUDIO_WINDOW_NEEDS: DecodeNeeds = { frameRate: undefined, audio: true, audioWindow: true };

/** A window's weight in a micro-batch: the work grows with its length, one unit per second. */
export function audioWindowWeight(input: { samples: Float32Array }): number {
  return Math.max(1, Math.ceil(input.samples.length / AUDIO_SAMPLE_RATE));
}

const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;

/** Items found in the window (seconds from its start, 48 expressions each) as predictions on the stream timeline. */
export function timedPredictions(window: AudioWindowView, items: readonly { begin: number; end: number; expressions: Float32Array }[]): ModelOutput<TimedPrediction> {
  return {
    predictions: items.map((item): TimedPrediction => ({
      time: { begin: round(window.startTime + item.begin), end: round(window.startTime + item.end) },
      emotions: labelScores(EXPRESSION_LABELS, item.expressions, 0),
    })),
  };
}
