// FACS action units (spec §6.5) of one face, from its 478-point mesh and MediaPipe's 52 blendshapes.
// A unit is the mean of one or more components, each a raw measure with its own calibration:
// * Learned: a unit with an ARKit counterpart reads that blendshape (the mean of its left and right
//   halves), the standard ARKit↔FACS correspondence; the blendshape network is MediaPipe's.
// * Geometric: distances on the mesh, 3-D and in units of the outer-eye-corner distance, and heights
//   in the face's own frame (./face-frame.ts), so a turned or tilted head does not change them. They
//   stand alone where no blendshape fits (AU9, AU11, AU25, AU27, AU28, AU32, AU38, AU53/54, a one-sided
//   lip corner), and join the blendshape where it moves little on real faces (AU1, AU4, AU5, AU7, AU15).
//   AU6, whose blendshape is flat, is derived from the blendshapes that move with it.
// * Limited: a tongue (AU19, AU37) and hands have no landmarks; those items stay 0 (model card).
// Every component becomes a score by one calibration, fitted on FER+ training faces
// (training/face/calibrate-signals.mjs): a logistic that is 0.018 at the 90th percentile of neutral faces
// and 0.982 at the 99th percentile of all faces (for a blendshape, at least 0.2 further), so nine neutral
// faces in ten score under 0.02 on every unit, and the order of faces on each measure is kept.

import { FACS_LABELS } from "../../protocol/index.js";
import { faceFrame } from "./face-frame.js";
import { BLENDSHAPE_NAMES } from "./mediapipe.js";

export type FacsLabel = (typeof FACS_LABELS)[number];
type BlendshapeName = (typeof BLENDSHAPE_NAMES)[number];

/** Signals beyond the FACS list that expressions and descriptions read: one-sided smile or dimple (contempt, smirk). */
export const EXTRA_SIGNALS = ["Unilateral AU12/AU14"] as const;
export type FaceSignal = FacsLabel | (typeof EXTRA_SIGNALS)[number];
/** FACS_LABELS, then EXTRA_SIGNALS: the order of a face's signal vector. */
export const FACE_SIGNALS: readonly FaceSignal[] = [...FACS_LABELS, ...EXTRA_SIGNALS];

/** A face as the measures read it: mesh points in image pixels (x, y, z per point), blendshape scores. */
export interface FaceGeometry {
  mesh: ArrayLike<number>;
  blendshapes: ArrayLike<number>;
}

/** A face with its mesh in its own frame (computed once for every measure). */
interface FramedFace extends FaceGeometry {
  frame: Float32Array;
}

type Measure = (face: FramedFace) => number;

const BLENDSHAPE_INDEX = Object.fromEntries(BLENDSHAPE_NAMES.map((name, i) => [name, i])) as Record<BlendshapeName, number>;

/** The mean of the named blendshapes (a unit's left and right halves). */
const blend = (...names: BlendshapeName[]): Measure => (face) => names.reduce((sum, name) => sum + face.blendshapes[BLENDSHAPE_INDEX[name]]!, 0) / names.length;

function distance(mesh: ArrayLike<number>, i: number, j: number): number {
  const dx = mesh[i * 3]! - mesh[j * 3]!, dy = mesh[i * 3 + 1]! - mesh[j * 3 + 1]!, dz = mesh[i * 3 + 2]! - mesh[j * 3 + 2]!;
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
}

/** Mesh points (MediaPipe's canonical face indices). */
const P = {
  rightEyeOuter: 33, leftEyeOuter: 263, upperLipInner: 13, lowerLipInner: 14, upperLipTop: 0, lowerLipBottom: 17,
  mouthRight: 61, mouthLeft: 291, rightAla: 129, leftAla: 358, rightNostrilBase: 98, leftNostrilBase: 327,
  rightUpperLip: 40, leftUpperLip: 270, foreheadTop: 10, chin: 152, rightInnerBrow: 107, leftInnerBrow: 336,
  rightInnerBrowLow: 55, leftInnerBrowLow: 285, rightOuterBrow: 70, leftOuterBrow: 300, rightEyeInner: 133, leftEyeInner: 362,
  rightUpperLid: 159, rightLowerLid: 145, leftUpperLid: 386, leftLowerLid: 374,
} as const;

/** A point's height in the face's frame (y grows down the face, in eye-corner units). */
const height = (face: FramedFace, i: number) => face.frame[i * 3 + 1]!;

/** How far the inner brows sit above the inner eye corners. */
const innerBrowHeight: Measure = (face) =>
  (height(face, P.rightEyeInner) - height(face, P.rightInnerBrowLow) + height(face, P.leftEyeInner) - height(face, P.leftInnerBrowLow)) / 2;

/** How much higher the inner ends of the brows sit than their outer ends (the oblique brow of AU1 without AU2). */
const browObliqueness: Measure = (face) =>
  (height(face, P.rightOuterBrow) - height(face, P.rightInnerBrowLow) + height(face, P.leftOuterBrow) - height(face, P.leftInnerBrowLow)) / 2;

/** How far the lower lids sit above the eye-corner line. */
const lowerLidRaise: Measure = (face) =>
  ((height(face, P.rightEyeOuter) + height(face, P.rightEyeInner)) / 2 - height(face, P.rightLowerLid) +
    (height(face, P.leftEyeOuter) + height(face, P.leftEyeInner)) / 2 - height(face, P.leftLowerLid)) / 2;

/** A distance in outer-eye-corner units. */
const span = (i: number, j: number): Measure => (face) => distance(face.mesh, i, j) / distance(face.mesh, P.rightEyeOuter, P.leftEyeOuter);

/** Head pitch in degrees, positive with the chin raised: the tilt of the forehead-to-chin line out of the image plane. */
export function headPitch(mesh: ArrayLike<number>): number {
  const dx = mesh[P.chin * 3]! - mesh[P.foreheadTop * 3]!, dy = mesh[P.chin * 3 + 1]! - mesh[P.foreheadTop * 3 + 1]!;
  const dz = mesh[P.foreheadTop * 3 + 2]! - mesh[P.chin * 3 + 2]!;
  return (Math.atan2(dz, Math.sqrt(dx * dx + dy * dy)) * 180) / Math.PI;
}

const lipThickness = (face: FramedFace) => [span(P.upperLipTop, P.upperLipInner)(face), span(P.lowerLipInner, P.lowerLipBottom)(face)] as const;

interface Component {
  measure: Measure;
  /** A blendshape score in [0, 1] (its calibration has a least span). */
  blendshape: boolean;
}

const fromBlendshapes = (...names: BlendshapeName[]): Component => ({ measure: blend(...names), blendshape: true });
const onMesh = (measure: Measure): Component => ({ measure, blendshape: false });

/** Each measured signal's components (their scores are averaged); absent: a limited item, always 0. */
export const SIGNAL_COMPONENTS: Readonly<Partial<Record<FaceSignal, readonly Component[]>>> = {
  "AU1 Inner Brow Raise": [fromBlendshapes("browInnerUp"), onMesh(innerBrowHeight), onMesh(browObliqueness)],
  "AU2 Outer Brow Raise": [fromBlendshapes("browOuterUpLeft", "browOuterUpRight")],
  "AU4 Brow Lowerer": [fromBlendshapes("browDownLeft", "browDownRight"), onMesh((face) => -innerBrowHeight(face)), onMesh((face) => -span(P.rightInnerBrow, P.leftInnerBrow)(face))],
  "AU5 Upper Lid Raise": [fromBlendshapes("eyeWideLeft", "eyeWideRight"), onMesh((face) => (span(P.rightUpperLid, P.rightLowerLid)(face) + span(P.leftUpperLid, P.leftLowerLid)(face)) / 2)],
  // MediaPipe's cheekSquint is flat (0.000 at the 99th percentile of 28,709 FER faces). A cheek raise
  // narrows the eye from below and comes with a lip-corner pull (a Duchenne smile) or an upper-lip raise
  // (pain, disgust), which push the cheek up: the geometric mean of eyeSquint and the larger of those.
  "AU6 Cheek Raise": [onMesh((face) => Math.sqrt(blend("eyeSquintLeft", "eyeSquintRight")(face) * Math.max(blend("mouthSmileLeft", "mouthSmileRight")(face), blend("mouthUpperUpLeft", "mouthUpperUpRight")(face))))],
  "AU7 Lids Tight": [fromBlendshapes("eyeSquintLeft", "eyeSquintRight"), onMesh(lowerLidRaise)],
  // noseSneer is flat too. A nose wrinkle pulls the sides of the nose up and the inner brows down, towards each other.
  "AU9 Nose Wrinkle": [onMesh((face) => -(span(P.rightAla, P.rightInnerBrow)(face) + span(P.leftAla, P.leftInnerBrow)(face)) / 2)],
  "AU10 Upper Lip Raiser": [fromBlendshapes("mouthUpperUpLeft", "mouthUpperUpRight")],
  // The upper lip's sides drawn up towards the nostrils, which deepens the furrow between them.
  "AU11 Nasolabial Furrow Deepener": [onMesh((face) => -(span(P.rightNostrilBase, P.rightUpperLip)(face) + span(P.leftNostrilBase, P.leftUpperLip)(face)) / 2)],
  "AU12 Lip Corner Puller": [fromBlendshapes("mouthSmileLeft", "mouthSmileRight")],
  "AU14 Dimpler": [fromBlendshapes("mouthDimpleLeft", "mouthDimpleRight")],
  // The lip corners below the middle of the lips.
  "AU15 Lip Corner Depressor": [
    fromBlendshapes("mouthFrownLeft", "mouthFrownRight"),
    onMesh((face) => (height(face, P.mouthRight) + height(face, P.mouthLeft) - height(face, P.upperLipTop) - height(face, P.lowerLipBottom)) / 2),
  ],
  "AU16 Lower Lip Depress": [fromBlendshapes("mouthLowerDownLeft", "mouthLowerDownRight")],
  "AU17 Chin Raiser": [fromBlendshapes("mouthShrugLower")],
  "AU18 Lip Pucker": [fromBlendshapes("mouthPucker")],
  "AU20 Lip Stretch": [fromBlendshapes("mouthStretchLeft", "mouthStretchRight")],
  "AU22 Lip Funneler": [fromBlendshapes("mouthFunnel")],
  "AU23 Lip Tightener": [fromBlendshapes("mouthRollLower", "mouthRollUpper")],
  "AU24 Lip Presser": [fromBlendshapes("mouthPressLeft", "mouthPressRight")],
  "AU25 Lips Part": [onMesh(span(P.upperLipInner, P.lowerLipInner))],
  "AU26 Jaw Drop": [fromBlendshapes("jawOpen")],
  // Mouth stretched open: the opening tall against the mouth's width, beyond a dropped jaw's.
  "AU27 Mouth Stretch": [onMesh((face) => distance(face.mesh, P.upperLipInner, P.lowerLipInner) / distance(face.mesh, P.mouthRight, P.mouthLeft))],
  // Lips drawn in: little red lip left showing, both lips (suck) or the thinner one (bite).
  "AU28 Lips Suck": [onMesh((face) => -lipThickness(face).reduce((sum, thickness) => sum + thickness, 0))],
  "AU32 Bite": [onMesh((face) => -Math.min(...lipThickness(face)))],
  "AU34 Puff": [fromBlendshapes("cheekPuff")],
  "AU38 Nostril Dilate": [onMesh(span(P.rightAla, P.leftAla))],
  "AU43 Eye Closure": [fromBlendshapes("eyeBlinkLeft", "eyeBlinkRight")],
  "AU53 Head Up": [onMesh((face) => headPitch(face.mesh))],
  "AU54 Head Down": [onMesh((face) => -headPitch(face.mesh))],
  // One lip corner higher than the other in the face's frame (blendshape asymmetries barely move on real faces).
  "Unilateral AU12/AU14": [onMesh((face) => Math.abs(height(face, P.mouthRight) - height(face, P.mouthLeft)))],
};

/** The logistic's slope over the calibration span: σ(−4) = 0.018 at the neutral end, σ(4) = 0.982 at the extreme end. */
const CALIBRATION_STEEPNESS = 8;

/** Each measured signal's components' raw values at the top of neutral faces (score ~0) and on an extreme face (score ~1). */
export type SignalCalibration = Readonly<Partial<Record<FaceSignal, readonly (readonly [neutral: number, extreme: number])[]>>>;

/** The raw component values of one face, FACE_SIGNALS order (empty for a limited item). */
export function rawSignals(face: FaceGeometry): number[][] {
  const framed: FramedFace = { ...face, frame: faceFrame(face.mesh) };
  return FACE_SIGNALS.map((signal) => (SIGNAL_COMPONENTS[signal] ?? []).map((component) => component.measure(framed)));
}

/** Calibrated signal scores in [0, 1], FACE_SIGNALS order; limited items, and measures a degenerate mesh leaves undefined, 0. */
export function faceSignals(face: FaceGeometry, calibration: SignalCalibration): Float32Array {
  const raw = rawSignals(face);
  return Float32Array.from(FACE_SIGNALS, (signal, i) => {
    const components = raw[i]!;
    if (components.length === 0) return 0;
    const fitted = calibration[signal];
    if (fitted === undefined || fitted.length !== components.length) throw new Error(`the face model's config has no calibration for '${signal}' (training/face/calibrate-signals.mjs)`);
    let sum = 0;
    components.forEach((value, k) => {
      const [neutral, extreme] = fitted[k]!;
      const score = 1 / (1 + Math.exp(-CALIBRATION_STEEPNESS * ((value - neutral) / (extreme - neutral) - 0.5)));
      sum += Number.isFinite(score) ? score : 0;
    });
    return sum / components.length;
  });
}
