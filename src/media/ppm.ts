// Parsing of ffmpeg's `-f image2pipe -c:v ppm` output: a sequence of binary PPM (P6) frames, each
// with its own header, so frame sizes never have to be guessed (rotation, mid-stream size changes).

import type { ImageFrame } from "./types.js";

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

/** Splits concatenated P6 images (maxval 255) into RGB frames; a truncated last frame is dropped. */
export function parsePpmFrames(buffer: Buffer): ImageFrame[] {
  const frames: ImageFrame[] = [];
  let offset = 0;
  while (offset + 2 <= buffer.length) {
    if (buffer[offset] !== 0x50 /* P */ || buffer[offset + 1] !== 0x36 /* 6 */) break;
    let at = offset + 2;
    const fields: number[] = [];
    while (fields.length < 3 && at < buffer.length) {
      while (at < buffer.length && isSpace(buffer[at]!)) at++;
      if (buffer[at] === 0x23 /* # */) {
        while (at < buffer.length && buffer[at] !== 0x0a) at++;
        continue;
      }
      let value = 0;
      let digits = 0;
      while (at < buffer.length && buffer[at]! >= 0x30 && buffer[at]! <= 0x39 && digits < 9) {
        value = value * 10 + (buffer[at]! - 0x30);
        at++;
        digits++;
      }
      if (digits === 0) return frames;
      fields.push(value);
    }
    if (fields.length < 3 || at >= buffer.length) break;
    at++; // the single whitespace after maxval
    const [width, height, maxval] = fields as [number, number, number];
    if (width === 0 || height === 0 || maxval !== 255) break;
    const size = width * height * 3;
    if (at + size > buffer.length) break;
    frames.push({ width, height, data: new Uint8Array(buffer.buffer, buffer.byteOffset + at, size) });
    offset = at + size;
  }
  return frames;
}
