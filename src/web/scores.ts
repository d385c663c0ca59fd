// Sentiment as one number (the top-N and formatting readers are shared with the CLI: client/replies.ts).

import type { Score } from "../protocol/index.js";

/** The expected sentiment level, 1 (negative) to 9 (positive), from the nine levels' probabilities. */
export function meanSentiment(sentiment: readonly Score[]): number {
  const total = sentiment.reduce((sum, s) => sum + s.score, 0);
  return sentiment.reduce((sum, s) => sum + Number(s.name) * s.score, 0) / (total || 1);
}
