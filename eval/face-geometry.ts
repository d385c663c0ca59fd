// The face geometry's evaluation on FER+ test images (eval/face.ts supplies them, meshed by the served
// pipeline; never used for training or calibration):
// * facs_prototype_auc: for each FER+ class but neutral, its EMFACS prototype units; the ROC-AUC of the
//   units' mean score for that class against every other image, averaged over the classes (each unit's
//   own AUC for its class reported too);
// * description_auc: Smile for happiness, Frown and Scowl for anger, Jaw drop and Wide-eyed for surprise;
// * facemesh_ferplus_accuracy: the facemesh model on the images' meshes, 8 classes.

import { FACE_DESCRIPTION_LABELS, FACS_LABELS } from "../src/protocol/index.js";
import { FACE_SIGNALS, type FaceSignal } from "../src/models/face/action-units.js";
import { FERPLUS_CLASSES, type FerPlusClass } from "../src/models/face/formulas.js";
import { rocAuc } from "./metrics.js";

type Description = (typeof FACE_DESCRIPTION_LABELS)[number];

/** EMFACS prototypes (Friesen & Ekman 1983), as the face geometry issue lists them; contempt: a one-sided AU12/AU14. */
export const PROTOTYPE_UNITS: Readonly<Partial<Record<FerPlusClass, readonly FaceSignal[]>>> = {
  happiness: ["AU6 Cheek Raise", "AU12 Lip Corner Puller"],
  sadness: ["AU1 Inner Brow Raise", "AU4 Brow Lowerer", "AU15 Lip Corner Depressor"],
  surprise: ["AU1 Inner Brow Raise", "AU2 Outer Brow Raise", "AU5 Upper Lid Raise", "AU26 Jaw Drop"],
  fear: ["AU1 Inner Brow Raise", "AU2 Outer Brow Raise", "AU4 Brow Lowerer", "AU5 Upper Lid Raise", "AU20 Lip Stretch"],
  anger: ["AU4 Brow Lowerer", "AU5 Upper Lid Raise", "AU7 Lids Tight", "AU23 Lip Tightener"],
  disgust: ["AU9 Nose Wrinkle", "AU15 Lip Corner Depressor", "AU16 Lower Lip Depress"],
  contempt: ["Unilateral AU12/AU14"],
};

export const DESCRIPTION_CLASSES: readonly [Description, FerPlusClass][] = [
  ["Smile", "happiness"], ["Frown", "anger"], ["Scowl", "anger"], ["Jaw drop", "surprise"], ["Wide-eyed", "surprise"],
];

const round = (v: number) => Math.round(v * 10_000) / 10_000;

/** Images with a FER+ majority: their signals (FACE_SIGNALS order), descriptions and majority class index. */
export interface GeometryRows {
  signals: Float32Array[];
  descriptions: Float32Array[];
  majority: number[];
}

export function prototypeAuc(rows: GeometryRows): { facs_prototype_auc: number; facs_class_auc: Record<string, number>; facs_unit_auc: Record<string, Record<string, number>> } {
  const classAuc: Record<string, number> = {};
  const unitAuc: Record<string, Record<string, number>> = {};
  for (const [cls, units] of Object.entries(PROTOTYPE_UNITS) as [FerPlusClass, FaceSignal[]][]) {
    const truth = rows.majority.map((m) => m === FERPLUS_CLASSES.indexOf(cls));
    const index = units.map((u) => FACE_SIGNALS.indexOf(u));
    classAuc[cls] = round(rocAuc(truth, rows.signals.map((s) => index.reduce((sum, k) => sum + s[k]!, 0) / index.length)));
    unitAuc[cls] = Object.fromEntries(units.map((u, j) => [u, round(rocAuc(truth, rows.signals.map((s) => s[index[j]!]!)))]));
  }
  const values = Object.values(classAuc);
  return { facs_prototype_auc: round(values.reduce((a, b) => a + b, 0) / values.length), facs_class_auc: classAuc, facs_unit_auc: unitAuc };
}

export function descriptionAuc(rows: GeometryRows): Record<string, number> {
  return Object.fromEntries(DESCRIPTION_CLASSES.map(([description, cls]) => {
    const k = FACE_DESCRIPTION_LABELS.indexOf(description);
    return [`${description} for ${cls}`, round(rocAuc(rows.majority.map((m) => m === FERPLUS_CLASSES.indexOf(cls)), rows.descriptions.map((d) => d[k]!)))];
  }));
}

/** How often each FACS item is the face's strongest (which units dominate, a check for a stuck unit). */
export function strongestUnitShare(rows: GeometryRows): Record<string, number> {
  const counts = new Map<string, number>();
  for (const s of rows.signals) {
    let best = 0;
    for (let k = 1; k < FACS_LABELS.length; k++) if (s[k]! > s[best]!) best = k;
    counts.set(FACS_LABELS[best]!, (counts.get(FACS_LABELS[best]!) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([name, n]) => [name, round(n / rows.signals.length)]));
}
