// The 27 face descriptions (spec §6.6) of one face, from its action units and expression classes in the
// formula language of ./formulas.ts: Smile = AU12, Grin = AU12 + AU25, Jaw drop = AU26/AU27, Squint = AU7
// with AU6, Wrinkled nose = AU9, Eyes closed = AU43, and so on (each with its source in
// models/face/MODEL_CARD.md). Items built on a limited unit (tongue, hands) stay 0 with it.

import { FACE_DESCRIPTION_LABELS } from "../../protocol/index.js";
import { compileFormulas, type FormulaTable } from "./formulas.js";

type Description = (typeof FACE_DESCRIPTION_LABELS)[number];

export const DESCRIPTION_FORMULAS: FormulaTable<Description> = {
  Beaming: [[1, "AU12 Lip Corner Puller", "AU6 Cheek Raise"]],
  "Biting lip": [[1, "AU32 Bite", "not AU25 Lips Part"]],
  Cheering: [[1, "AU12 Lip Corner Puller", "AU26 Jaw Drop", ["AU5 Upper Lid Raise", "AU27 Mouth Stretch"]]],
  Cringe: [[1, "AU4 Brow Lowerer", ["AU6 Cheek Raise", "AU7 Lids Tight"], "AU20 Lip Stretch"]],
  Cry: [[1, "sadness", ["AU1 Inner Brow Raise", "AU15 Lip Corner Depressor"]]],
  "Eyes closed": [[1, "AU43 Eye Closure"]],
  "Face in hands": [[1, "Hand over Face"]],
  Frown: [[1, "AU4 Brow Lowerer", "not AU12 Lip Corner Puller"]],
  Gasp: [[1, ["AU25 Lips Part", "AU26 Jaw Drop"], ["AU1 Inner Brow Raise", "AU2 Outer Brow Raise", "AU5 Upper Lid Raise"], "not AU12 Lip Corner Puller"]],
  Glare: [[1, "AU4 Brow Lowerer", "AU5 Upper Lid Raise", "not AU12 Lip Corner Puller"]],
  Glaring: [[1, "AU4 Brow Lowerer", "AU7 Lids Tight", "not AU12 Lip Corner Puller"]],
  Grimace: [[1, ["AU20 Lip Stretch", "AU10 Upper Lip Raiser"], ["AU4 Brow Lowerer", "AU7 Lids Tight"], "AU25 Lips Part", "not happiness"]],
  Grin: [[1, "AU12 Lip Corner Puller", "AU25 Lips Part"]],
  "Jaw drop": [[1, ["AU26 Jaw Drop", "AU27 Mouth Stretch"]]],
  Laugh: [[1, "AU12 Lip Corner Puller", "AU6 Cheek Raise", "AU26 Jaw Drop"]],
  "Licking lip": [[1, "AU37 Lip Wipe"]],
  Pout: [[1, "AU17 Chin Raiser", ["AU18 Lip Pucker", "AU15 Lip Corner Depressor"]]],
  Scowl: [[1, "AU4 Brow Lowerer", ["AU7 Lids Tight", "AU23 Lip Tightener", "AU24 Lip Presser"], "not AU12 Lip Corner Puller"]],
  Smile: [[1, "AU12 Lip Corner Puller"]],
  Smirk: [[1, "Unilateral AU12/AU14", "not AU25 Lips Part"]],
  Snarl: [[1, "AU9 Nose Wrinkle", "AU10 Upper Lip Raiser"]],
  Squint: [[1, "AU7 Lids Tight", "AU6 Cheek Raise"]],
  Sulking: [[1, ["AU15 Lip Corner Depressor", "AU17 Chin Raiser"], ["sadness", "anger", "contempt"], "not AU12 Lip Corner Puller"]],
  "Tongue out": [[1, "AU19 Tongue Show"]],
  "Wide-eyed": [[1, "AU5 Upper Lid Raise"]],
  Wince: [[1, "AU4 Brow Lowerer", ["AU6 Cheek Raise", "AU7 Lids Tight", "AU43 Eye Closure"], ["AU9 Nose Wrinkle", "AU10 Upper Lip Raiser", "AU20 Lip Stretch"]]],
  "Wrinkled nose": [[1, "AU9 Nose Wrinkle"]],
};

const describe = compileFormulas(FACE_DESCRIPTION_LABELS, DESCRIPTION_FORMULAS);

/** The 27 scores in [0, 1], FACE_DESCRIPTION_LABELS order, for one face's FER+ probabilities and signals (FACE_SIGNALS order). */
export function describeFace(classes: ArrayLike<number>, signals: ArrayLike<number>): Float32Array {
  return describe(classes, signals);
}
