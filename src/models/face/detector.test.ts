import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeDetections, iou, letterbox, suppressOverlaps, type Detection, type DetectorOutputs } from "./detector.js";

/** Outputs of a 64×64 network (strides 8/16/32) with one scoring anchor at stride 8. */
function outputs(anchor: number, cls: number, obj: number): DetectorOutputs {
  const out: DetectorOutputs = {};
  for (const stride of [8, 16, 32]) {
    const cells = (64 / stride) ** 2;
    out[`cls_${stride}`] = new Float32Array(cells);
    out[`obj_${stride}`] = new Float32Array(cells);
    out[`bbox_${stride}`] = new Float32Array(cells * 4);
    out[`kps_${stride}`] = new Float32Array(cells * 10);
  }
  out.cls_8![anchor] = cls;
  out.obj_8![anchor] = obj;
  out.bbox_8!.set([0.5, 0.5, Math.log(2), Math.log(3)], anchor * 4);
  out.kps_8!.set([0, 0, 1, 0, 0.5, 0.5, 0, 1, 1, 1], anchor * 10);
  return out;
}

describe("decodeDetections", () => {
  it("maps an anchor's box and landmarks to source pixels, scored √(cls·obj)", () => {
    // Anchor 9 of an 8×8 grid: row 1, column 1.
    const [d] = decodeDetections(outputs(9, 0.81, 1), 2, 0.5, 0.3, 64);
    assert.ok(d !== undefined);
    assert.ok(Math.abs(d.score - 0.9) < 1e-6);
    // Centre (1.5·8, 1.5·8) = (12, 12), size 16×24 network pixels; ×2 into the source.
    [d.x, d.y, d.width, d.height].forEach((value, i) => assert.ok(Math.abs(value - [8, 0, 32, 48][i]!) < 1e-4));
    assert.deepEqual(d.landmarks[0], [16, 16]);
    assert.deepEqual(d.landmarks[4], [32, 32]);
  });

  it("reads the anchors row by row of the input's width", () => {
    // Anchor 9 of a 32-wide input's stride-8 grid (4 columns): row 2, column 1, so the centre is (12, 20).
    const [d] = decodeDetections(outputs(9, 0.81, 1), 2, 0.5, 0.3, 32);
    [d!.x, d!.y].forEach((value, i) => assert.ok(Math.abs(value - [8, 16][i]!) < 1e-4));
  });

  it("drops anchors below the minimum score", () => {
    assert.equal(decodeDetections(outputs(9, 0.2, 0.2), 1, 0.5, 0.3, 64).length, 0);
  });
});

describe("suppressOverlaps", () => {
  const box = (x: number, score: number): Detection => ({ x, y: 0, width: 10, height: 10, score, landmarks: [] });
  it("keeps the best of overlapping boxes and every separate one", () => {
    const kept = suppressOverlaps([box(0, 0.6), box(1, 0.9), box(50, 0.5)], 0.3);
    assert.deepEqual(kept.map((d) => d.score), [0.9, 0.5]);
    assert.ok(iou(box(0, 1), box(5, 1)) > 0.3);
  });
});

describe("letterbox", () => {
  it("fits the long side, pads with zeros and stores planar BGR", () => {
    const data = new Uint8Array(4 * 2 * 3);
    for (let i = 0; i < 8; i++) data.set([255, 0, 10], i * 3);
    const { tensor, scale } = letterbox({ width: 4, height: 2, data }, 8);
    assert.equal(scale, 0.5);
    const plane = 64;
    assert.equal(tensor[0], 10); // blue plane first
    assert.equal(tensor[2 * plane], 255); // red last
    assert.equal(tensor[5 * 8], 0); // below the image: padding
    // A reused buffer gives the same tensor, whatever it held before.
    const reused = new Float32Array(3 * plane).fill(99);
    assert.equal(letterbox({ width: 4, height: 2, data }, 8, reused).tensor.buffer, reused.buffer);
    assert.deepEqual(reused, tensor);
  });

  it("pads the short side only up to a multiple of 32, and reads the anchors of that width", () => {
    const data = new Uint8Array(640 * 400 * 3).fill(7);
    const reused = new Float32Array(3 * 640 * 640).fill(99);
    const { tensor, width, height, scale } = letterbox({ width: 640, height: 400, data }, 640, reused);
    assert.deepEqual([width, height, scale, tensor.length], [640, 416, 1, 3 * 640 * 416]);
    assert.equal(tensor[399 * 640], 7); // the image's last row
    assert.equal(tensor[400 * 640], 0); // padding below it
    const portrait = letterbox({ width: 300, height: 600, data: new Uint8Array(300 * 600 * 3) }, 640);
    assert.deepEqual([portrait.width, portrait.height], [320, 640]);
  });

  it("copies an image whose long side is the canvas's pixel for pixel, as the averaging path would", () => {
    for (const [width, height] of [[8, 5], [5, 8]] as const) {
      const data = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256);
      const reused = new Float32Array(3 * 64).fill(99);
      const { tensor, scale } = letterbox({ width, height, data }, 8, reused);
      assert.equal(scale, 1);
      // The same pixels drawn at twice the size and averaged back down take the general path.
      const doubled = new Uint8Array(width * 2 * height * 2 * 3);
      for (let y = 0; y < height * 2; y++) {
        for (let x = 0; x < width * 2; x++) {
          const from = ((y >> 1) * width + (x >> 1)) * 3;
          doubled.set(data.subarray(from, from + 3), (y * width * 2 + x) * 3);
        }
      }
      const averaged = letterbox({ width: width * 2, height: height * 2, data: doubled }, 8);
      assert.equal(averaged.scale, 2);
      assert.deepEqual(tensor, averaged.tensor);
    }
  });
});
