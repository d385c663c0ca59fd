// Reading replies: a model's output is predictions or a nested warning (spec §3.3). Browser-safe (the
// playground page uses it too): protocol types only.

import type { ModelName, ModelOutput, PredictionsByModel, PredictionsReply, Score } from "../protocol/index.js";

/** A model output that carries a nested warning instead of predictions (spec §3.3). */
export type WarningOutput = { warning: string; code: string };

/** True when a model's output is a nested warning (`{warning, code}`, predictions omitted). */
export function isWarning<P>(output: ModelOutput<P> | undefined | null): output is WarningOutput {
  return typeof output === "object" && output !== null && typeof (output as { warning?: unknown }).warning === "string";
}

/** True when a model's output carries predictions. */
export function hasPredictions<P>(output: ModelOutput<P> | undefined | null): output is { predictions: P[] } {
  return typeof output === "object" && output !== null && Array.isArray((output as { predictions?: unknown }).predictions);
}

/** The predictions of one model in a reply; [] when the model is absent or warned. */
export function predictionsOf<M extends ModelName>(reply: PredictionsReply, model: M): Array<PredictionsByModel[M]> {
  const output = reply[model] as ModelOutput<PredictionsByModel[M]> | undefined;
  return hasPredictions(output) ? output.predictions : [];
}

/** The nested warnings of a reply, by model. */
export function warningsOf(reply: PredictionsReply): Array<{ model: ModelName; warning: string; code: string }> {
  const out: Array<{ model: ModelName; warning: string; code: string }> = [];
  for (const model of ["burst", "face", "facemesh", "language", "prosody"] as const) {
    const output = reply[model];
    if (isWarning(output)) out.push({ model, warning: output.warning, code: output.code });
  }
  return out;
}

/** The `n` highest scores of a list (spec §3.1 lists every label, in label order), highest first. */
export function topScores(scores: readonly Score[], n: number): Score[] {
  return [...scores].sort((a, b) => b.score - a.score).slice(0, n);
}

/** "Joy 0.82, Amusement 0.41". */
export function formatScores(scores: readonly Score[]): string {
  return scores.map((s) => `${s.name} ${s.score.toFixed(2)}`).join(", ");
}
