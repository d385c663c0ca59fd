// Face alignment: the similarity transform (rotation, uniform scale, shift) that best maps a face's five
// detector landmarks onto a template, then a greyscale crop sampled through it. Training crops and served
// crops go through this same code with the same template, so the classifier sees faces framed one way.

import type { ImageFrame } from "../../media/types.js";
import type { Landmarks } from "./detector.js";

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Least-squares similarity from `from` points to `to` points (Umeyama, no reflection). */
export function fitSimilarity(from: Landmarks, to: Landmarks): Similarity {
  const n = from.length;
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]![0]; fy += from[i]![1]; tx += to[i]![0]; ty += to[i]![1];
  }
  fx /= n; fy /= n; tx /= n; ty /= n;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const px = from[i]![0] - fx, py = from[i]![1] - fy;
    const qx = to[i]![0] - tx, qy = to[i]![1] - ty;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  const a = norm > 0 ? dot / norm : 1;
  const b = norm > 0 ? cross / norm : 0;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

/** Roll of the face in degrees from its eye line (positive: clockwise in image coordinates). */
export function eyeLineAngle(landmarks: Landmarks): number {
  const [first, second] = landmarks as [[number, number], [number, number]];
  return (Math.atan2(second[1] - first[1], second[0] - first[0]) * 180) / Math.PI;
}

/** Grey: one luma byte per pixel (the expression classifier); rgb: three bytes (the face embedding). */
export type CropChannels = 1 | 3;

/** The same similarity for a template drawn at another size (templates are defined at one size). */
export function scaleSimilarity(transform: Similarity, factor: number): Similarity {
  return { a: transform.a * factor, b: transform.b * factor, tx: transform.tx * factor, ty: transform.ty * factor };
}

/**
 * Samples the `size`×`size` crop that `transform` maps the image onto (transform: image → crop).
 * Each crop pixel averages a grid of source samples as wide as the scale factor, so a large face shrinks
 * without aliasing; samples outside the image repeat its edge.
 */
export function alignedCrop(image: ImageFrame, transform: Similarity, size: number, channels: CropChannels = 1): Uint8Array {
  const { a, b, tx, ty } = transform;
  const det = a * a + b * b;
  // Inverse similarity: crop → image.
  const ia = a / det, ib = -b / det;
  const itx = -(ia * tx - ib * ty), ity = -(ib * tx + ia * ty);
  const sourcePerPixel = 1 / Math.sqrt(det);
  const grid = Math.max(1, Math.min(8, Math.ceil(sourcePerPixel)));
  const out = new Uint8Array(size * size * channels);
  const { width, height, data } = image;
  const n = grid * grid;
  // Sub-sample places within a crop pixel, the same for every pixel (sums associate as a direct formula would).
  const offsets = Float64Array.from({ length: grid }, (_, g) => (g + 0.5) / grid);
  const maxX = width - 1, maxY = height - 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, bl = 0;
      for (let gy = 0; gy < grid; gy++) {
        const cy = y + offsets[gy]! - 0.5;
        // The source position's parts that depend on the row only.
        const rowX = ib * cy, rowY = ia * cy;
        for (let gx = 0; gx < grid; gx++) {
          const cx = x + offsets[gx]! - 0.5;
          // Bilinear RGB at the source position, edges repeated (inlined: this loop is the crop's whole cost).
          let sx = ia * cx - rowX + itx, sy = ib * cx + rowY + ity;
          sx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
          sy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
          const x0 = sx | 0, y0 = sy | 0; // sx, sy ≥ 0: truncation is floor
          const fx = sx - x0, fy = sy - y0;
          const o00 = (y0 * width + x0) * 3;
          const o01 = x0 < maxX ? o00 + 3 : o00;
          const o10 = y0 < maxY ? o00 + width * 3 : o00;
          const o11 = x0 < maxX ? o10 + 3 : o10;
          const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
          r += data[o00]! * w00 + data[o01]! * w01 + data[o10]! * w10 + data[o11]! * w11;
          g += data[o00 + 1]! * w00 + data[o01 + 1]! * w01 + data[o10 + 1]! * w10 + data[o11 + 1]! * w11;
          bl += data[o00 + 2]! * w00 + data[o01 + 2]! * w01 + data[o10 + 2]! * w10 + data[o11 + 2]! * w11;
        }
      }
      const offset = (y * size + x) * channels;
      // Rounded half up as Math.round would (the sums are never negative), at a third of its cost.
      if (channels === 1) {
        out[offset] = ((0.299 * r + 0.587 * g + 0.114 * bl) / n + 0.5) | 0;
      } else {
        out[offset] = (r / n + 0.5) | 0;
        out[offset + 1] = (g / n + 0.5) | 0;
        out[offset + 2] = (bl / n + 0.5) | 0;
      }
    }
  }
  return out;
}
