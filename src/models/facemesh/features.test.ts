import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { faceFrame, heightToEyeWidth } from "../face/face-frame.js";
import { MESH_FLOATS } from "../face/mesh.js";
import { isNormalised, isotropicFace } from "./features.js";

/** A fixed pseudo-random sequence (tests stay deterministic). */
function sequence(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** A face-like mesh in pixels: random points around a face, with the eye corners and the forehead-chin line where a face has them. */
function pixelFace(): Float32Array {
  const next = sequence(7);
  const face = Float32Array.from({ length: MESH_FLOATS }, (_, i) => (i % 3 === 2 ? (next() - 0.5) * 40 : 200 + next() * 160));
  face.set([230, 260, 0], 33 * 3);
  face.set([330, 262, 5], 263 * 3);
  face.set([281, 170, -10], 10 * 3);
  face.set([279, 360, 8], 152 * 3);
  return face;
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe("facemesh features", () => {
  it("tells normalised coordinates from pixels", () => {
    const pixels = pixelFace();
    assert.equal(isNormalised(pixels), false);
    assert.equal(isNormalised(pixels.map((v) => v / 640)), true);
  });

  it("gives the same face frame whatever the face's place, size and 3-D rotation", () => {
    const face = pixelFace();
    const [yaw, pitch] = [0.4, -0.25];
    const moved = new Float32Array(MESH_FLOATS);
    for (let i = 0; i < MESH_FLOATS; i += 3) {
      const [x, y, z] = [face[i]!, face[i + 1]!, face[i + 2]!];
      const x1 = x * Math.cos(yaw) + z * Math.sin(yaw), z1 = -x * Math.sin(yaw) + z * Math.cos(yaw);
      const y2 = y * Math.cos(pitch) - z1 * Math.sin(pitch), z2 = y * Math.sin(pitch) + z1 * Math.cos(pitch);
      moved.set([x1 * 1.8 + 50, y2 * 1.8 - 20, z2 * 1.8], i);
    }
    assert.ok(maxDifference(faceFrame(face), faceFrame(moved)) < 1e-4);
  });

  it("undoes normalisation's unequal scales, given the face's height-to-eye-width ratio", () => {
    const face = pixelFace();
    const ratio = heightToEyeWidth(face);
    const normalised = Float32Array.from(face, (v, i) => (i % 3 === 1 ? v / 480 : v / 640));
    const restored = isotropicFace(normalised, ratio);
    assert.ok(Math.abs(heightToEyeWidth(restored) - ratio) < 1e-4);
    assert.ok(maxDifference(faceFrame(face), faceFrame(restored)) < 1e-3);
    // Pixels pass through unchanged.
    assert.deepEqual(isotropicFace(face, ratio), face);
  });
});
