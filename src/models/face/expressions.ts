// The 48 face expressions (spec §6.1) projected from the classifier's FER+ class probabilities. Each
// dimension is a weighted sum of the classes whose prototype it shares (EMFACS prototypes; Cowen &
// Keltner 2020, "What the face displays", whose 28 facial-expression categories map onto FER+'s basic
// classes as listed in models/face/MODEL_CARD.md), plus geometric-mean terms for blends that need two
// classes at once (a surprised smile is positive surprise; a surprised fearful face negative). Neutral
// faces score low everywhere: the neutral class feeds only calm, low-arousal states, at low weight.
// Dimensions no class supports (e.g. Romance, Craving) stay at 0 until action units arrive.

import { EXPRESSION_LABELS } from "../../protocol/index.js";

export const FERPLUS_CLASSES = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"] as const;
export type FerPlusClass = (typeof FERPLUS_CLASSES)[number];
type Expression = (typeof EXPRESSION_LABELS)[number];

/** One term: a class probability, or the geometric mean of two (high only when both are present). */
type Term = [weight: number, cls: FerPlusClass] | [weight: number, cls: FerPlusClass, other: FerPlusClass];

export const EXPRESSION_PROJECTION: Readonly<Partial<Record<Expression, readonly Term[]>>> = {
  Amusement: [[0.8, "happiness"]],
  Anger: [[1, "anger"]],
  Anxiety: [[0.6, "fear"], [0.15, "sadness"]],
  Awe: [[0.35, "surprise"], [0.5, "surprise", "happiness"]],
  Awkwardness: [[0.2, "fear"], [0.3, "happiness", "fear"], [0.3, "happiness", "sadness"]],
  Boredom: [[0.15, "neutral"], [0.15, "sadness"]],
  Calmness: [[0.3, "neutral"], [0.1, "happiness"]],
  Concentration: [[0.2, "neutral"], [0.3, "anger", "neutral"]],
  Confusion: [[0.4, "surprise", "anger"], [0.3, "surprise", "contempt"]],
  Contemplation: [[0.2, "neutral"], [0.2, "sadness", "neutral"]],
  Contempt: [[1, "contempt"], [0.2, "disgust"], [0.1, "anger"]],
  Contentment: [[0.5, "happiness"], [0.2, "happiness", "neutral"]],
  Determination: [[0.3, "anger"]],
  Disappointment: [[0.6, "sadness"], [0.15, "contempt"]],
  Disgust: [[1, "disgust"], [0.15, "contempt"]],
  Distress: [[0.4, "fear"], [0.3, "sadness"], [0.2, "anger"]],
  Doubt: [[0.35, "contempt"], [0.3, "contempt", "neutral"]],
  Ecstasy: [[0.3, "happiness"], [0.4, "happiness", "surprise"]],
  Embarrassment: [[0.4, "happiness", "sadness"], [0.3, "happiness", "fear"]],
  "Empathic Pain": [[0.3, "sadness"], [0.2, "sadness", "fear"]],
  Excitement: [[0.3, "happiness"], [0.5, "happiness", "surprise"]],
  Fear: [[1, "fear"], [0.15, "surprise"]],
  Guilt: [[0.2, "sadness"]],
  Horror: [[0.4, "fear"], [0.6, "fear", "disgust"], [0.3, "fear", "surprise"]],
  Interest: [[0.3, "surprise"], [0.1, "neutral"]],
  Joy: [[1, "happiness"]],
  Love: [[0.2, "happiness"]],
  Pain: [[0.3, "sadness"], [0.3, "disgust"], [0.5, "sadness", "disgust"], [0.4, "fear", "disgust"]],
  Pride: [[0.2, "happiness"], [0.2, "happiness", "contempt"]],
  Realization: [[0.4, "surprise"]],
  Relief: [[0.2, "happiness"], [0.3, "happiness", "sadness"]],
  Sadness: [[1, "sadness"]],
  Satisfaction: [[0.5, "happiness"], [0.2, "happiness", "contempt"]],
  Shame: [[0.2, "sadness"], [0.2, "sadness", "disgust"]],
  "Surprise (negative)": [[0.5, "surprise"], [0.8, "surprise", "fear"], [0.6, "surprise", "disgust"]],
  "Surprise (positive)": [[0.5, "surprise"], [0.8, "surprise", "happiness"]],
  Sympathy: [[0.2, "sadness", "neutral"]],
  Tiredness: [[0.15, "sadness"], [0.1, "neutral"]],
  Triumph: [[0.2, "happiness"], [0.4, "happiness", "anger"]],
};

const CLASS_INDEX = Object.fromEntries(FERPLUS_CLASSES.map((name, i) => [name, i])) as Record<FerPlusClass, number>;

const COMPILED = EXPRESSION_LABELS.map((label) =>
  (EXPRESSION_PROJECTION[label] ?? []).map(([weight, cls, other]) => ({ weight, a: CLASS_INDEX[cls], b: other === undefined ? -1 : CLASS_INDEX[other] })),
);

/** The 48 scores, in EXPRESSION_LABELS order, for one face's 8 FER+ probabilities; each in [0, 1]. */
export function projectExpressions(classes: ArrayLike<number>): Float32Array {
  const out = new Float32Array(EXPRESSION_LABELS.length);
  COMPILED.forEach((terms, i) => {
    let sum = 0;
    for (const { weight, a, b } of terms) sum += weight * (b < 0 ? classes[a]! : Math.sqrt(classes[a]! * classes[b]!));
    out[i] = Math.min(1, sum);
  });
  return out;
}
