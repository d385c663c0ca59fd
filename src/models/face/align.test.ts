import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alignedCrop, eyeLineAngle, fitSimilarity, scaleSimilarity } from "./align.js";
import type { Landmarks } from "./detector.js";

const TEMPLATE: Landmarks = [[14, 19], [33, 19], [23.5, 28], [16, 36], [31.5, 36]];

/** Template points moved into an image by rotation θ, scale s and shift. */
function placed(theta: number, s: number, dx: number, dy: number): Landmarks {
  return TEMPLATE.map(([x, y]) => [s * (Math.cos(theta) * x - Math.sin(theta) * y) + dx, s * (Math.sin(theta) * x + Math.cos(theta) * y) + dy]);
}

describe("fitSimilarity", () => {
  it("recovers the inverse of a rotation, scale and shift exactly", () => {
    const image = placed(0.4, 3, 120, 45);
    const t = fitSimilarity(image, TEMPLATE);
    for (const [i, [x, y]] of image.entries()) {
      assert.ok(Math.abs(t.a * x - t.b * y + t.tx - TEMPLATE[i]![0]) < 1e-9);
      assert.ok(Math.abs(t.b * x + t.a * y + t.ty - TEMPLATE[i]![1]) < 1e-9);
    }
    assert.ok(Math.abs(Math.hypot(t.a, t.b) - 1 / 3) < 1e-12);
  });

  it("measures the eye line's roll", () => {
    assert.ok(Math.abs(eyeLineAngle(placed(Math.PI / 6, 2, 0, 0)) - 30) < 1e-9);
  });
});

describe("alignedCrop", () => {
  // A 200×200 RGB image: left half dark, right half bright.
  const width = 200;
  const data = new Uint8Array(width * width * 3);
  for (let y = 0; y < width; y++) for (let x = 0; x < width; x++) data.fill(x < 100 ? 20 : 220, (y * width + x) * 3, (y * width + x) * 3 + 3);
  const image = { width, height: width, data };

  it("samples through the transform, averaging a shrunk region", () => {
    // The whole image onto 10×10: the crop's left half is dark, its right half bright.
    const crop = alignedCrop(image, { a: 0.05, b: 0, tx: 0, ty: 0 }, 10);
    assert.equal(crop.length, 100);
    assert.ok(crop[5 * 10 + 1]! < 40 && crop[5 * 10 + 8]! > 200);
  });

  it("gives three channels when asked and scales with the template", () => {
    const grey = alignedCrop(image, { a: 0.05, b: 0, tx: 0, ty: 0 }, 10);
    const rgb = alignedCrop(image, scaleSimilarity({ a: 0.05, b: 0, tx: 0, ty: 0 }, 2), 20, 3);
    assert.equal(rgb.length, 20 * 20 * 3);
    assert.ok(Math.abs(rgb[(10 * 20 + 2) * 3]! - grey[5 * 10 + 1]!) < 3);
  });

  it("repeats the edge outside the image instead of inventing pixels", () => {
    const crop = alignedCrop(image, { a: 1, b: 0, tx: 50, ty: 50 }, 20);
    assert.equal(crop[0], 20);
  });
});
