// The 48 expressions (spec §6.1) of a vocal-burst event, projected from its families' peak scores:
// each family carries fixed weights onto the expressions its sound conveys (Cowen, Elfenbein, Laukka &
// Keltner 2019, "Mapping 24 emotions conveyed by brief human vocalization"; Sauter, Eisner, Calder &
// Scott 2010; Simon-Thomas et al. 2009), and families combine by probabilistic OR:
//   score(e) = 1 − Π_f (1 − w[f][e] · peak[f]).
// Each score rises with every family's peak and is 0 when no family fired. Evidence per row in
// models/burst/MODEL_CARD.md. Expressions no burst family conveys stay at 0.

import { EXPRESSION_LABELS, type Expression } from "../../protocol/index.js";
import { BURST_FAMILIES, type BurstFamily } from "./families.js";

export const BURST_PROJECTION: Readonly<Record<BurstFamily, Readonly<Partial<Record<Expression, number>>>>> = {
  laugh: { Amusement: 1, Joy: 0.6, Excitement: 0.3, Ecstasy: 0.2, Triumph: 0.1 },
  cry: { Sadness: 1, Distress: 0.7, Pain: 0.4, Disappointment: 0.3, "Empathic Pain": 0.2 },
  scream: { Fear: 0.8, Horror: 0.7, Distress: 0.6, "Surprise (negative)": 0.4, Anger: 0.3, Excitement: 0.2 },
  moan: { Pain: 0.7, Distress: 0.4, Sadness: 0.3, Desire: 0.2 },
  sigh: { Relief: 0.6, Tiredness: 0.6, Disappointment: 0.5, Boredom: 0.3, Contentment: 0.2, Sadness: 0.2 },
  groan: { Pain: 0.6, Disappointment: 0.5, Tiredness: 0.3, Distress: 0.3, Contempt: 0.1 },
  gasp: { "Surprise (negative)": 0.6, Fear: 0.5, Realization: 0.4, Awe: 0.3, "Surprise (positive)": 0.3, Horror: 0.3 },
  pant: { Tiredness: 0.6, Excitement: 0.2, Anxiety: 0.2, Distress: 0.2 },
  cough: { Pain: 0.2, Distress: 0.1 },
  throat_clear: { Awkwardness: 0.3, Embarrassment: 0.1 },
  sneeze: { Pain: 0.1 },
};

/** The 48 scores in EXPRESSION_LABELS order from per-family peaks (BURST_FAMILIES order). */
export function projectBurst(peaks: ArrayLike<number>): Float32Array {
  return Float32Array.from(EXPRESSION_LABELS, (label) => {
    let none = 1;
    BURST_FAMILIES.forEach((family, f) => {
      none *= 1 - (BURST_PROJECTION[family][label] ?? 0) * Math.min(1, Math.max(0, peaks[f]!));
    });
    return 1 - none;
  });
}
