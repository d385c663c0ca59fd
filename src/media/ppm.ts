// Parsing of ffmpeg's `-f image2pipe -c:v ppm` output: a sequence of binary PPM (P6) frames, each
// with its own header, so frame sizes never have to be guessed (rotation, mid-stream size changes).
// The parser reads the output as it arrives, so a video's first frames can be used while ffmpeg still
// decodes the rest.

import type { ImageFrame } from "./types.js";

/** Longest header read before the stream is judged not to be PPM (a real one is under 30 bytes). */
const MAX_HEADER_BYTES = 256;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

interface Header {
  width: number;
  height: number;
  /** Offset of the first pixel byte. */
  bodyStart: number;
}

/** Reads one P6 header (maxval 255) at the start of `bytes`: "incomplete" when more bytes may finish it. */
function readHeader(bytes: Buffer): Header | "incomplete" | "invalid" {
  if (bytes.length < 2) return bytes.length === 1 && bytes[0] !== 0x50 /* P */ ? "invalid" : "incomplete";
  if (bytes[0] !== 0x50 || bytes[1] !== 0x36 /* 6 */) return "invalid";
  let at = 2;
  const fields: number[] = [];
  while (fields.length < 3) {
    while (at < bytes.length && isSpace(bytes[at]!)) at++;
    if (at >= bytes.length) return "incomplete";
    if (bytes[at] === 0x23 /* # */) {
      while (at < bytes.length && bytes[at] !== 0x0a) at++;
      continue;
    }
    let value = 0;
    let digits = 0;
    while (at < bytes.length && bytes[at]! >= 0x30 && bytes[at]! <= 0x39 && digits < 9) {
      value = value * 10 + (bytes[at]! - 0x30);
      at++;
      digits++;
    }
    // A number that reaches the end of what has arrived may go on in the next chunk.
    if (at >= bytes.length) return "incomplete";
    if (digits === 0) return "invalid";
    fields.push(value);
  }
  const [width, height, maxval] = fields as [number, number, number];
  if (width === 0 || height === 0 || maxval !== 255) return "invalid";
  // The single whitespace after maxval (its presence was checked by the loop above).
  return { width, height, bodyStart: at + 1 };
}

/**
 * Splits concatenated P6 images (maxval 255) into RGB frames as their bytes arrive. Each frame's
 * pixels get their own shared memory, so model workers read them where they lie instead of receiving
 * a copy. A truncated last frame is dropped; anything after a malformed header is ignored.
 */
export class PpmStream {
  readonly frames: ImageFrame[] = [];
  private header: Buffer = Buffer.alloc(0);
  private body: { width: number; height: number; data: Uint8Array } | undefined;
  private filled = 0;
  private stopped = false;
  /** The size of a frame refused for holding more than `maxFrameBytes` (nothing after it is read). */
  oversized: { width: number; height: number } | undefined;

  /**
   * `onFrame` is called with each frame once its last byte arrived, in order. A header announcing more
   * than `maxFrameBytes` of pixels stops the stream before anything is allocated for it.
   */
  constructor(
    private readonly onFrame?: (frame: ImageFrame, index: number) => void,
    private readonly maxFrameBytes = Number.MAX_SAFE_INTEGER,
  ) {}

  push(chunk: Uint8Array): void {
    let at = 0;
    while (!this.stopped && at < chunk.length) {
      if (this.body !== undefined) {
        const n = Math.min(this.body.data.length - this.filled, chunk.length - at);
        this.body.data.set(chunk.subarray(at, at + n), this.filled);
        this.filled += n;
        at += n;
        if (this.filled === this.body.data.length) this.finishFrame();
        continue;
      }
      const held = this.header.length;
      // At most one byte past the longest header, not the rest of the chunk (pixels follow it).
      const bytes = Buffer.concat([this.header, chunk.subarray(at, at + MAX_HEADER_BYTES + 1 - held)]);
      const header = readHeader(bytes);
      if (header === "invalid" || (header === "incomplete" && bytes.length > MAX_HEADER_BYTES)) {
        this.stopped = true;
        return;
      }
      if (header === "incomplete") {
        this.header = bytes;
        return;
      }
      this.header = Buffer.alloc(0);
      at += header.bodyStart - held;
      if (header.width * header.height * 3 > this.maxFrameBytes) {
        this.oversized = { width: header.width, height: header.height };
        this.stopped = true;
        return;
      }
      this.body = { width: header.width, height: header.height, data: new Uint8Array(new SharedArrayBuffer(header.width * header.height * 3)) };
      this.filled = 0;
    }
  }

  private finishFrame(): void {
    const frame = this.body!;
    this.body = undefined;
    this.frames.push(frame);
    this.onFrame?.(frame, this.frames.length - 1);
  }
}

/** The complete frames of a whole PPM stream. */
export function parsePpmFrames(bytes: Uint8Array): ImageFrame[] {
  const stream = new PpmStream();
  stream.push(bytes);
  return stream.frames;
}
