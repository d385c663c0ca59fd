// What the facemesh classifier reads from a landmark payload's face (478 × 3, MediaPipe's layout): the
// points in the face's own frame, so that where the face sat in the image, how large it was and how the
// head was turned do not count, only its shape.
// * Units: MediaPipe clients send pixels, or coordinates normalised by the image's width (x, z) and
//   height (y). Normalised input (every x and y within [-1, 2]) is brought back to isotropic units by
//   rescaling y so that the face's height-to-eye-width ratio is the training faces' median.
// * Frame: ../face/face-frame.ts (origin between the outer eye corners, eye-corner distance as unit).

import { FACEMESH_LANDMARKS } from "../../protocol/index.js";
import { faceFrame, heightToEyeWidth } from "../face/face-frame.js";
import { BLENDSHAPE_NAMES } from "../face/mediapipe.js";
import { MESH_FLOATS } from "../face/mesh.js";

/** Largest |coordinate| of normalised input (a face may reach past the image's edges). */
const NORMALISED_BOUND = 2;

/** True when the face's x and y all lie within normalised bounds (no face in pixels is that small). */
export function isNormalised(face: ArrayLike<number>): boolean {
  for (let i = 0; i < FACEMESH_LANDMARKS; i++) if (Math.abs(face[i * 3]!) > NORMALISED_BOUND || Math.abs(face[i * 3 + 1]!) > NORMALISED_BOUND) return false;
  return true;
}

/** The y scale that gives a normalised face the height-to-eye-width ratio `target` (bisection; the ratio grows with the scale). */
function aspectCorrection(face: ArrayLike<number>, target: number): number {
  let low = 0.2, high = 5;
  for (let step = 0; step < 40; step++) {
    const mid = Math.sqrt(low * high);
    if (heightToEyeWidth(face, mid) < target) low = mid;
    else high = mid;
  }
  return Math.sqrt(low * high);
}

/**
 * The face in pixel-like isotropic units (x, y, z per point): pixel input as it is, normalised input
 * scaled to `size` pixels wide with its y rescaled (see the header).
 */
export function isotropicFace(face: ArrayLike<number>, medianRatio: number, size = 256): Float32Array {
  const out = Float32Array.from({ length: MESH_FLOATS }, (_, i) => face[i]!);
  if (!isNormalised(face)) return out;
  const yScale = aspectCorrection(face, medianRatio);
  for (let i = 0; i < MESH_FLOATS; i += 3) {
    out[i] = face[i]! * size;
    out[i + 1] = face[i + 1]! * size * yScale;
    out[i + 2] = face[i + 2]! * size;
  }
  return out;
}

/** The classifier's input width: the face-frame points, then the 52 blendshapes. */
export const FEATURE_COUNT = MESH_FLOATS + BLENDSHAPE_NAMES.length;

/** One classifier input row: faceFrame(face), then its blendshapes (BLENDSHAPE_NAMES order). */
export function classifierFeatures(face: ArrayLike<number>, blendshapes: ArrayLike<number>): Float32Array {
  const row = new Float32Array(FEATURE_COUNT);
  row.set(faceFrame(face));
  row.set(Array.from(blendshapes), MESH_FLOATS);
  return row;
}
