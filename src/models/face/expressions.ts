// The 48 face expressions (spec §6.1) of one face, from the classifier's FER+ class probabilities and the
// face's action units (./action-units.ts), in the formula language of ./formulas.ts. Class terms follow
// the EMFACS prototypes (Cowen & Keltner 2020, "What the face displays", whose 28 facial-expression
// categories map onto FER+'s basic classes as listed in models/face/MODEL_CARD.md); blends that need two
// classes at once are geometric means (a surprised smile is positive surprise). Action-unit terms carry
// what no class separates, each with its source in the model card: Concentration (AU4 with tightened
// lids, no smile), Tiredness (eye closure, head down), Pain (the PSPI units AU4, AU6/7, AU9/10, AU43),
// Confusion (the knit, raised inner brow), Doubt, Awe (AU1+2+5+26), Contempt (a one-sided AU12/AU14).
// Neutral faces score low everywhere: the neutral class feeds only calm, low-arousal states, at low
// weight, and every action unit is 0 at a typical neutral face.

import { EXPRESSION_LABELS } from "../../protocol/index.js";
import { compileFormulas, type FormulaTable } from "./formulas.js";

type Expression = (typeof EXPRESSION_LABELS)[number];

export const EXPRESSION_FORMULAS: FormulaTable<Expression> = {
  Amusement: [[0.8, "happiness"]],
  Anger: [[1, "anger"]],
  Anxiety: [[0.6, "fear"], [0.15, "sadness"]],
  Awe: [[0.3, "surprise"], [0.4, "surprise", "happiness"], [0.5, "AU1 Inner Brow Raise", "AU2 Outer Brow Raise", "AU5 Upper Lid Raise", "AU26 Jaw Drop"]],
  Awkwardness: [[0.2, "fear"], [0.3, "happiness", "fear"], [0.3, "happiness", "sadness"]],
  Boredom: [[0.15, "neutral"], [0.15, "sadness"], [0.3, "AU43 Eye Closure", "neutral"]],
  Calmness: [[0.3, "neutral"], [0.1, "happiness"]],
  Concentration: [[0.15, "neutral"], [0.2, "anger", "neutral"], [0.6, "AU4 Brow Lowerer", "AU7 Lids Tight", "not AU12 Lip Corner Puller"]],
  Confusion: [[0.3, "surprise", "anger"], [0.2, "surprise", "contempt"], [0.4, "AU4 Brow Lowerer", "AU1 Inner Brow Raise", "not AU12 Lip Corner Puller"]],
  Contemplation: [[0.2, "neutral"], [0.2, "sadness", "neutral"]],
  Contempt: [[1, "contempt"], [0.2, "disgust"], [0.1, "anger"], [0.5, "Unilateral AU12/AU14", "not happiness"]],
  Contentment: [[0.5, "happiness"], [0.2, "happiness", "neutral"]],
  Determination: [[0.3, "anger"], [0.3, "AU4 Brow Lowerer", ["AU24 Lip Presser", "AU17 Chin Raiser"]]],
  Disappointment: [[0.6, "sadness"], [0.15, "contempt"], [0.3, "AU15 Lip Corner Depressor", "AU17 Chin Raiser"]],
  Disgust: [[1, "disgust"], [0.15, "contempt"]],
  Distress: [[0.4, "fear"], [0.3, "sadness"], [0.2, "anger"]],
  Doubt: [[0.3, "contempt"], [0.2, "contempt", "neutral"], [0.4, ["AU24 Lip Presser", "AU17 Chin Raiser"], ["Unilateral AU12/AU14", "AU4 Brow Lowerer"], "not happiness"]],
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
  Pain: [[0.2, "sadness"], [0.2, "disgust"], [0.4, "sadness", "disgust"], [0.3, "fear", "disgust"], [0.6, "AU4 Brow Lowerer", ["AU6 Cheek Raise", "AU7 Lids Tight"], ["AU9 Nose Wrinkle", "AU10 Upper Lip Raiser"], "not happiness"], [0.2, "AU43 Eye Closure", "AU4 Brow Lowerer"]],
  Pride: [[0.2, "happiness"], [0.2, "happiness", "contempt"]],
  Realization: [[0.4, "surprise"]],
  Relief: [[0.2, "happiness"], [0.3, "happiness", "sadness"]],
  Sadness: [[1, "sadness"]],
  Satisfaction: [[0.5, "happiness"], [0.2, "happiness", "contempt"]],
  Shame: [[0.2, "sadness"], [0.2, "sadness", "disgust"]],
  "Surprise (negative)": [[0.5, "surprise"], [0.8, "surprise", "fear"], [0.6, "surprise", "disgust"]],
  "Surprise (positive)": [[0.5, "surprise"], [0.8, "surprise", "happiness"]],
  Sympathy: [[0.2, "sadness", "neutral"]],
  Tiredness: [[0.15, "sadness"], [0.1, "neutral"], [0.5, "AU43 Eye Closure", "not AU12 Lip Corner Puller"], [0.3, "AU54 Head Down", "AU43 Eye Closure"]],
  Triumph: [[0.2, "happiness"], [0.4, "happiness", "anger"]],
};

const project = compileFormulas(EXPRESSION_LABELS, EXPRESSION_FORMULAS);

/** The 48 scores in [0, 1], EXPRESSION_LABELS order, for one face's 8 FER+ probabilities and its signals (FACE_SIGNALS order). */
export function projectExpressions(classes: ArrayLike<number>, signals: ArrayLike<number>): Float32Array {
  return project(classes, signals);
}
