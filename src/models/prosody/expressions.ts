// The 48 expressions (spec §6.1) projected from the prosody classifier's outputs: class probabilities
// over PROSODY_CLASSES plus arousal and valence (−1 … 1). Trained classes map onto the expression of the
// same name; the others are fixed, documented combinations (models/prosody/MODEL_CARD.md gives each
// formula's evidence: Scherer 2003 and Juslin & Laukka 2003 on vocal cues of emotion, Russell 1980 on
// arousal and valence). Neutral speech scores low everywhere: the neutral class feeds no expression.
// Expressions the voice data cannot support (e.g. Romance, Guilt, Envy) stay at 0.

import { EXPRESSION_LABELS, type Expression } from "../../protocol/index.js";

export const PROSODY_CLASSES = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised", "boredom"] as const;
export type ProsodyClass = (typeof PROSODY_CLASSES)[number];

/** What a term reads: a class probability, or the positive or negative part of arousal or valence. */
type Signal = ProsodyClass | "arousal+" | "arousal-" | "valence+" | "valence-";
/** weight × signal, or weight × signal × other (high only when both are). */
type Term = [weight: number, signal: Signal] | [weight: number, signal: Signal, other: Signal];

export const EXPRESSION_PROJECTION: Readonly<Partial<Record<Expression, readonly Term[]>>> = {
  Amusement: [[0.5, "happy", "arousal+"]],
  Anger: [[1, "angry"]],
  Anxiety: [[0.6, "fearful", "arousal-"], [0.3, "fearful"]],
  Boredom: [[1, "boredom"]],
  Calmness: [[1, "calm"]],
  Contempt: [[0.4, "disgust", "arousal-"], [0.2, "angry", "arousal-"]],
  Contentment: [[0.5, "calm", "valence+"], [0.4, "happy", "arousal-"]],
  Determination: [[0.3, "angry", "valence+"]],
  Disappointment: [[0.6, "sad", "arousal-"], [0.2, "disgust", "arousal-"]],
  Disgust: [[1, "disgust"]],
  Distress: [[0.5, "fearful"], [0.3, "sad", "arousal+"], [0.2, "angry", "valence-"]],
  Ecstasy: [[0.6, "happy", "arousal+"]],
  Excitement: [[0.8, "happy", "arousal+"], [0.3, "surprised", "valence+"]],
  Fear: [[1, "fearful"]],
  Horror: [[0.6, "fearful", "arousal+"], [0.3, "disgust", "arousal+"]],
  Interest: [[0.4, "surprised", "valence+"]],
  Joy: [[1, "happy"]],
  Realization: [[0.5, "surprised"]],
  Relief: [[0.4, "calm", "valence+"]],
  Sadness: [[1, "sad"]],
  Satisfaction: [[0.5, "happy", "arousal-"], [0.3, "calm", "valence+"]],
  "Surprise (negative)": [[0.8, "surprised", "valence-"], [0.3, "surprised"]],
  "Surprise (positive)": [[0.8, "surprised", "valence+"], [0.3, "surprised"]],
  Tiredness: [[0.4, "boredom"], [0.5, "boredom", "arousal-"], [0.5, "sad", "arousal-"]],
  Triumph: [[0.4, "happy", "arousal+"], [0.2, "angry", "valence+"]],
};

export interface ProsodyOutputs {
  /** Probabilities in PROSODY_CLASSES order. */
  classes: ArrayLike<number>;
  arousal: number;
  valence: number;
}

const CLASS_INDEX = new Map<string, number>(PROSODY_CLASSES.map((name, i) => [name, i]));

function signal(outputs: ProsodyOutputs, name: Signal): number {
  switch (name) {
    case "arousal+": return Math.max(0, outputs.arousal);
    case "arousal-": return Math.max(0, -outputs.arousal);
    case "valence+": return Math.max(0, outputs.valence);
    case "valence-": return Math.max(0, -outputs.valence);
    default: return outputs.classes[CLASS_INDEX.get(name)!]!;
  }
}

/** The 48 scores in EXPRESSION_LABELS order, each in [0, 1]. */
export function projectExpressions(outputs: ProsodyOutputs): Float32Array {
  const out = new Float32Array(EXPRESSION_LABELS.length);
  EXPRESSION_LABELS.forEach((label, i) => {
    let sum = 0;
    for (const [weight, a, b] of EXPRESSION_PROJECTION[label] ?? []) sum += weight * signal(outputs, a) * (b === undefined ? 1 : signal(outputs, b));
    out[i] = Math.min(1, sum);
  });
  return out;
}
