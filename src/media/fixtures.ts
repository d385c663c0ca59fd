// Test helpers: media built in code or generated with ffmpeg, so tests need no ../shared.
// Not a test file itself (no ".test." in the name).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_LIMITS, type Limits } from "../protocol/index.js";
import { MediaError } from "./errors.js";

/** Asserts that `promise` rejects with a MediaError of `code` (and a message matching `message`); returns it. */
export async function rejectsCode(promise: Promise<unknown>, code: string, message?: RegExp): Promise<MediaError> {
  let caught: MediaError | undefined;
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MediaError, `expected MediaError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    caught = error;
    return true;
  });
  return caught!;
}

export const LIMITS: Limits = { ...DEFAULT_LIMITS };

export function limits(overrides: Partial<Limits>): Limits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

export interface WavSpec {
  /** 1 = PCM, 3 = float, or any other tag (written as is). */
  format?: number;
  bits: number;
  channels?: number;
  rate: number;
  frames: number;
  /** Sample value in [-1, 1] for a frame and channel. */
  value?: (frame: number, channel: number) => number;
  extensible?: boolean;
  /** Overrides the data chunk's declared size. */
  dataSize?: number;
  /** Overrides the RIFF chunk's declared size. */
  riffSize?: number;
  /** Extra chunk inserted before fmt (odd length to test padding). */
  junkBefore?: Buffer;
}

/** A WAV file built in code. */
export function makeWav(spec: WavSpec): Buffer {
  const format = spec.format ?? 1;
  const channels = spec.channels ?? 1;
  const bytesPerSample = spec.bits / 8;
  const blockAlign = channels * bytesPerSample;
  const data = Buffer.alloc(spec.frames * blockAlign);
  const value = spec.value ?? ((f: number) => Math.sin((2 * Math.PI * 440 * f) / spec.rate) * 0.5);
  for (let f = 0; f < spec.frames; f++) {
    for (let c = 0; c < channels; c++) {
      const v = Math.max(-1, Math.min(1, value(f, c)));
      const at = f * blockAlign + c * bytesPerSample;
      if (format === 3) {
        if (spec.bits === 32) data.writeFloatLE(v, at);
        else data.writeDoubleLE(v, at);
      } else if (spec.bits === 8) data[at] = Math.max(0, Math.min(255, Math.round(v * 128 + 128)));
      else if (spec.bits === 16) data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32768))), at);
      else if (spec.bits === 24) data.writeIntLE(Math.max(-8388608, Math.min(8388607, Math.round(v * 8388608))), at, 3);
      else data.writeInt32LE(Math.max(-2147483648, Math.min(2147483647, Math.round(v * 2147483648))), at);
    }
  }
  const fmtSize = spec.extensible ? 40 : 16;
  const fmt = Buffer.alloc(8 + fmtSize);
  fmt.write("fmt ", 0, "latin1");
  fmt.writeUInt32LE(fmtSize, 4);
  fmt.writeUInt16LE(spec.extensible ? 0xfffe : format, 8);
  fmt.writeUInt16LE(channels, 10);
  fmt.writeUInt32LE(spec.rate, 12);
  fmt.writeUInt32LE(spec.rate * blockAlign, 16);
  fmt.writeUInt16LE(blockAlign, 20);
  fmt.writeUInt16LE(spec.bits, 22);
  if (spec.extensible) {
    fmt.writeUInt16LE(22, 24); // cbSize
    fmt.writeUInt16LE(spec.bits, 26); // valid bits
    fmt.writeUInt32LE(channels === 2 ? 3 : 4, 28); // channel mask
    // SubFormat GUID: format tag + 0000-0010-8000-00AA00389B71
    fmt.writeUInt16LE(format, 32);
    Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(fmt, 34);
  }
  const parts: Buffer[] = [];
  if (spec.junkBefore !== undefined) {
    const header = Buffer.alloc(8);
    header.write("junk", 0, "latin1");
    header.writeUInt32LE(spec.junkBefore.length, 4);
    parts.push(header, spec.junkBefore);
    if (spec.junkBefore.length % 2 === 1) parts.push(Buffer.alloc(1));
  }
  const dataHeader = Buffer.alloc(8);
  dataHeader.write("data", 0, "latin1");
  dataHeader.writeUInt32LE(spec.dataSize ?? data.length, 4);
  parts.push(fmt, dataHeader, data);
  const body = Buffer.concat(parts);
  const riff = Buffer.alloc(12);
  riff.write("RIFF", 0, "latin1");
  riff.writeUInt32LE(spec.riffSize ?? body.length + 4, 4);
  riff.write("WAVE", 8, "latin1");
  return Buffer.concat([riff, body]);
}

/** A 24-bit bottom-up BMP built in code; `pixel(x, y)` gives [r, g, b] with y = 0 at the top. */
export function makeBmp(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + rowBytes * height;
  const out = Buffer.alloc(size);
  out.write("BM", 0, "latin1");
  out.writeUInt32LE(size, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(rowBytes * height, 34);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      out[row + x * 3] = b;
      out[row + x * 3 + 1] = g;
      out[row + x * 3 + 2] = r;
    }
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG whose IHDR claims `width`×`height` but whose pixel data is a few bytes (a decompression bomb header). */
export function makeHugePngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width >>> 0, 0);
  ihdr.writeUInt32BE(height >>> 0, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01])),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

export function ffmpegAvailable(): boolean {
  try {
    execFileSync("ffmpeg", ["-hide_banner", "-version"], { stdio: "ignore" });
    execFileSync("ffprobe", ["-hide_banner", "-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A temp folder of generated media; call `dispose()` in an `after` hook. */
export class MediaFixtures {
  readonly dir = mkdtempSync(join(tmpdir(), "moodwire-test-"));

  /** Runs ffmpeg with `args` (inputs and options) writing `name`; returns the bytes. */
  generate(name: string, args: readonly string[]): Buffer {
    const path = join(this.dir, name);
    execFileSync("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", ...args, path], { stdio: ["ignore", "ignore", "pipe"] });
    return readFileSync(path);
  }

  /** Runs ffmpeg writing to a pipe (no seeking back: no duration in the header, like MediaRecorder). */
  generatePiped(args: readonly string[]): Buffer {
    return execFileSync("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", ...args, "pipe:1"], {
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** lavfi inputs. */
export const SINE = (seconds: number, frequency = 440): string[] => ["-f", "lavfi", "-i", `sine=frequency=${frequency}:sample_rate=44100:duration=${seconds}`];
export const TESTSRC = (seconds: number, size = "64x48", rate = 10): string[] => ["-f", "lavfi", "-i", `testsrc=size=${size}:rate=${rate}:duration=${seconds}`];
