// Face images composed from the shared sample photos (MOODWIRE_SHARED samples/), for the face model's
// benchmark and tests: samples resized, mirrored or rotated, pasted on a grey canvas, cut at its edges.

import { existsSync, readFileSync } from "node:fs";
import sharp from "sharp";
import { sharedDirectory } from "../../runtime/paths.js";

/** A shared sample's path, or undefined when the shared data directory is absent. */
export function faceSamplePath(name: string): string | undefined {
  const path = `${sharedDirectory()}samples/${name}`;
  return existsSync(path) ? path : undefined;
}

export interface Placement {
  /** A shared sample name, e.g. "faces/biden.jpg". */
  sample: string;
  /** Width it is resized to (its aspect kept). */
  width: number;
  left: number;
  top: number;
  /** Mirrored left to right. */
  flop?: boolean;
  /** Degrees, clockwise, grey corners. */
  rotate?: number;
}

/** A JPEG of a `width`×`height` grey canvas with samples pasted on it (they may run past the edges). */
export async function faceCanvas(width: number, height: number, placements: readonly Placement[], quality = 90): Promise<Buffer> {
  const layers: sharp.OverlayOptions[] = [];
  for (const p of placements) {
    const path = faceSamplePath(p.sample);
    if (path === undefined) throw new Error(`shared sample ${p.sample} not found under ${sharedDirectory()}samples/ (set MOODWIRE_SHARED)`);
    let image = sharp(readFileSync(path)).removeAlpha().resize({ width: p.width });
    if (p.flop === true) image = image.flop();
    if (p.rotate !== undefined) image = sharp(await image.toBuffer()).rotate(p.rotate, { background: "#808080" });
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    // Cut whatever falls outside the canvas (sharp's composite refuses overlays that overflow).
    const left = Math.max(0, -p.left), top = Math.max(0, -p.top);
    const w = Math.min(info.width - left, width - Math.max(0, p.left)), h = Math.min(info.height - top, height - Math.max(0, p.top));
    const cut = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).extract({ left, top, width: w, height: h }).png().toBuffer();
    layers.push({ input: cut, left: Math.max(0, p.left), top: Math.max(0, p.top) });
  }
  return sharp({ create: { width, height, channels: 3, background: "#808080" } }).composite(layers).jpeg({ quality }).toBuffer();
}
