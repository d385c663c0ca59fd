import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MESH_FLOATS, MESH_INPUT_SIZE, meshRoiCrop, meshToImage } from "./mesh.js";

/** A mesh whose points fill the box [100, 200] × [50, 170], the eye corners level or turned by `angle`. */
function boxMesh(angle = 0): Float32Array {
  const mesh = new Float32Array(MESH_FLOATS);
  for (let i = 0; i < MESH_FLOATS / 3; i++) mesh.set([100 + (i % 2) * 100, 50 + (i % 3 === 0 ? 0 : 120), 0], i * 3);
  const turn = (x: number, y: number): [number, number] => [150 + (x - 150) * Math.cos(angle) - (y - 110) * Math.sin(angle), 110 + (x - 150) * Math.sin(angle) + (y - 110) * Math.cos(angle)];
  for (let i = 0; i < MESH_FLOATS / 3; i++) mesh.set(turn(mesh[i * 3]!, mesh[i * 3 + 1]!), i * 3);
  mesh.set([...turn(120, 100), 0], 33 * 3);
  mesh.set([...turn(180, 100), 0], 263 * 3);
  return mesh;
}

const image = { width: 300, height: 300, data: new Uint8Array(300 * 300 * 3) };

describe("mesh crops", () => {
  it("places MediaPipe's region of interest from a previous mesh: centred, 1.5× its longer side, turned with the eye line", () => {
    for (const angle of [0, 0.4]) {
      const { toCrop } = meshRoiCrop(image, boxMesh(angle));
      const centre = [toCrop.a * 150 - toCrop.b * 110 + toCrop.tx, toCrop.b * 150 + toCrop.a * 110 + toCrop.ty];
      assert.ok(Math.abs(centre[0]! - MESH_INPUT_SIZE / 2) < 1e-3 && Math.abs(centre[1]! - MESH_INPUT_SIZE / 2) < 1e-3, `${centre}`);
      assert.ok(Math.abs(Math.hypot(toCrop.a, toCrop.b) - MESH_INPUT_SIZE / (120 * 1.5)) < 1e-5);
      assert.ok(Math.abs(Math.atan2(-toCrop.b, toCrop.a) - angle) < 1e-5);
    }
  });

  it("maps crop points back to image pixels, depth scaled with them", () => {
    const { toCrop } = meshRoiCrop(image, boxMesh(0.3));
    const point = [120, 80, 7];
    const inCrop = [toCrop.a * point[0]! - toCrop.b * point[1]! + toCrop.tx, toCrop.b * point[0]! + toCrop.a * point[1]! + toCrop.ty, point[2]! * Math.hypot(toCrop.a, toCrop.b)];
    const back = meshToImage(inCrop, toCrop);
    point.forEach((v, i) => assert.ok(Math.abs(back[i]! - v) < 1e-4, `${back}`));
  });
});
