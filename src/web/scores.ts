// Small readings of a score list (spec §3.1: every label with its score, in label order).

import type { Score } from "../protocol/index.js";

/** The `n` highest scores, highest first. */
export function top(scores: readonly Score[], n: number): Score[] {
  return [...scores].sort((a, b) => b.score - a.score).slice(0, n);
}

/** "Joy 0.82, Amusement 0.41". */
export function formatScores(scores: readonly Score[]): string {
  return scores.map((s) => `${s.name} ${s.score.toFixed(2)}`).join(", ");
}

/** The expected sentiment level, 1 (negative) to 9 (positive), from the nine levels' probabilities. */
export function meanSentiment(sentiment: readonly Score[]): number {
  const total = sentiment.reduce((sum, s) => sum + s.score, 0);
  return sentiment.reduce((sum, s) => sum + Number(s.name) * s.score, 0) / (total || 1);
}
