// A face mesh in the face's own frame, so that where the face sat in the image, how large it was and
// how the head was turned do not count, only its shape: origin between the outer eye corners; x along
// the eye line, y along the forehead-to-chin line made orthogonal to it (down the face), z their cross
// product; one unit is the eye-corner distance. Read by the action units' mesh measures and by the
// facemesh classifier.

import { FACEMESH_LANDMARKS } from "../../protocol/index.js";

const RIGHT_EYE_OUTER = 33, LEFT_EYE_OUTER = 263, FOREHEAD_TOP = 10, CHIN = 152;

type Vector = [number, number, number];

const sub = (a: Vector, b: Vector): Vector => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vector, b: Vector) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const norm = (a: Vector) => Math.sqrt(dot(a, a));
const scaled = (a: Vector, k: number): Vector => [a[0] * k, a[1] * k, a[2] * k];
const cross = (a: Vector, b: Vector): Vector => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

function point(face: ArrayLike<number>, i: number, yScale = 1): Vector {
  return [face[i * 3]!, face[i * 3 + 1]! * yScale, face[i * 3 + 2]!];
}

/** The face's forehead-to-chin length over its eye-corner distance, with y scaled by `yScale`. */
export function heightToEyeWidth(face: ArrayLike<number>, yScale = 1): number {
  return norm(sub(point(face, CHIN, yScale), point(face, FOREHEAD_TOP, yScale))) / norm(sub(point(face, LEFT_EYE_OUTER, yScale), point(face, RIGHT_EYE_OUTER, yScale)));
}

/** The face's points in its own frame (see the header), 478 × 3 values; `face` in isotropic units. */
export function faceFrame(face: ArrayLike<number>): Float32Array {
  const right = point(face, RIGHT_EYE_OUTER), left = point(face, LEFT_EYE_OUTER);
  const origin = scaled([right[0] + left[0], right[1] + left[1], right[2] + left[2]], 0.5);
  const across = sub(left, right);
  const unit = norm(across) || 1;
  const x = scaled(across, 1 / unit);
  const down = sub(point(face, CHIN), point(face, FOREHEAD_TOP));
  const yRaw = sub(down, scaled(x, dot(down, x)));
  const y = scaled(yRaw, 1 / (norm(yRaw) || 1));
  const z = cross(x, y);
  const out = new Float32Array(FACEMESH_LANDMARKS * 3);
  for (let i = 0; i < FACEMESH_LANDMARKS; i++) {
    const p = sub(point(face, i), origin);
    out[i * 3] = dot(p, x) / unit;
    out[i * 3 + 1] = dot(p, y) / unit;
    out[i * 3 + 2] = dot(p, z) / unit;
  }
  return out;
}

