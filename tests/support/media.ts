// Test-only media, in one place: WAV files (always on the product writer, src/client/wav.ts), BMP and PNG
// built in code, headers that lie on purpose (decoder and fuzz suites), ffmpeg-generated fixtures, and the
// media-error assertion. Nothing here is shipped.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { wavFile } from "../../src/client/wav.js";
import { MediaError } from "../../src/media/errors.js";
import { DEFAULT_LIMITS, type Limits } from "../../src/protocol/index.js";
import { sharedDirectory } from "../../src/runtime/paths.js";

// --- Assertions and limits -----------------------------------------------------------------------

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

// --- WAV -----------------------------------------------------------------------------------------

/** The writer's bytes as a Buffer, without a copy. */
function wavBuffer(...args: Parameters<typeof wavFile>): Buffer {
  const wav = wavFile(...args);
  return Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength);
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

/** A WAV file of any integer or float layout; full scale is 2^(bits-1), clamped. */
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
  let wav = wavBuffer({ format, channels, sampleRate: spec.rate, bitsPerSample: spec.bits }, data);
  if (spec.extensible) wav = asExtensible(wav, format, channels, spec.bits);
  if (spec.junkBefore !== undefined) wav = withChunkBeforeFmt(wav, "junk", spec.junkBefore);
  // Sizes last: the chunks above moved the data chunk and grew the file.
  wav.writeUInt32LE(spec.riffSize ?? wav.length - 8, 4);
  wav.writeUInt32LE(spec.dataSize ?? data.length, wav.length - data.length - 4);
  return wav;
}

/** The SubFormat GUID after its leading format tag: -0000-0010-8000-00AA00389B71. */
const KSDATAFORMAT_TAIL = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]);

/** The writer's 16-byte fmt chunk grown to WAVE_FORMAT_EXTENSIBLE's 40: tag 0xFFFE, the real tag in the GUID. */
function asExtensible(wav: Buffer, format: number, channels: number, bits: number): Buffer {
  const extension = Buffer.alloc(24);
  extension.writeUInt16LE(22, 0); // cbSize
  extension.writeUInt16LE(bits, 2); // valid bits
  extension.writeUInt32LE(channels === 2 ? 3 : 4, 4); // channel mask
  extension.writeUInt16LE(format, 8);
  KSDATAFORMAT_TAIL.copy(extension, 10);
  const out = Buffer.concat([wav.subarray(0, 36), extension, wav.subarray(36)]);
  out.writeUInt32LE(40, 16);
  out.writeUInt16LE(0xfffe, 20);
  return out;
}

/** `wav` with a chunk between the RIFF header and fmt, padded to even length as RIFF requires. */
function withChunkBeforeFmt(wav: Buffer, id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, "latin1");
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([wav.subarray(0, 12), header, body, Buffer.alloc(body.length % 2), wav.subarray(12)]);
}

/**
 * `seconds` of a 440 Hz sine at 0.4 of full scale, integer PCM. Full scale here is the largest positive
 * sample, 2^(bits-1) - 1, as the fuzz seeds were first written (makeWav's is 2^(bits-1)): the fuzz corpus
 * stays bit-identical for a seed.
 */
export function toneWav(options: { seconds: number; sampleRate?: number; channels?: number; bits?: 8 | 16 | 24 | 32 }): Buffer {
  const { seconds, sampleRate = 16_000, channels = 1, bits = 16 } = options;
  const peak = (2 ** (bits - 1) - 1) / 2 ** (bits - 1);
  const value = (f: number): number => 0.4 * Math.sin((2 * Math.PI * 440 * f) / sampleRate) * peak;
  return makeWav({ bits, channels, rate: sampleRate, frames: Math.round(seconds * sampleRate), value });
}

/** Header fields a lying WAV may override; anything out of a field's range wraps to its width. */
export interface WavFields {
  format?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  blockAlign?: number;
  dataSize?: number;
  riffSize?: number;
  fmtSize?: number;
}

/** A 44-byte-header WAV with `body` as its data chunk and the given fields, consistent or not. */
export function wavWith(fields: WavFields, body: Buffer): Buffer {
  const wav = wavBuffer({ format: fields.format ?? 1, channels: fields.channels ?? 1, sampleRate: fields.rate ?? 16_000, bitsPerSample: fields.bits ?? 16 }, body);
  if (fields.riffSize !== undefined) wav.writeUInt32LE(fields.riffSize >>> 0, 4);
  if (fields.fmtSize !== undefined) wav.writeUInt32LE(fields.fmtSize >>> 0, 16);
  if (fields.blockAlign !== undefined) wav.writeUInt16LE(fields.blockAlign & 0xffff, 32);
  if (fields.dataSize !== undefined) wav.writeUInt32LE(fields.dataSize >>> 0, 40);
  return wav;
}

// --- BMP -----------------------------------------------------------------------------------------

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

/** A BMP whose header claims `width`×`height` (int32, negative = top-down) over 64 bytes of black pixels. */
export function bmpClaiming(width: number, height: number): Buffer {
  const out = makeBmp(1, 16, () => [0, 0, 0]);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt32LE(0, 34); // image size 0 ("compute it", valid for BI_RGB), so only the dimensions speak
  return out;
}

// --- PNG -----------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

// zlib.crc32 would do, but only from Node 20.15; package.json allows any Node 20.
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const GREY = 0;
const RGB = 2;

/** A PNG of 8-bit `colourType` samples (0 grey, 2 RGB) with `idat` as its one IDAT chunk. */
function png(width: number, height: number, colourType: number, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width >>> 0, 0);
  ihdr.writeUInt32BE(height >>> 0, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colourType;
  return Buffer.concat([PNG_SIGNATURE, pngChunk("IHDR", ihdr), pngChunk("IDAT", idat), pngChunk("IEND", Buffer.alloc(0))]);
}

/** A valid mid-grey PNG of the given size, built without any image library. */
export function greyPng(width: number, height: number): Buffer {
  const raw = Buffer.alloc((width + 1) * height, 0x80);
  for (let y = 0; y < height; y++) raw[y * (width + 1)] = 0; // filter byte
  return png(width, height, GREY, deflateSync(raw));
}

/** A PNG whose IHDR claims `width`×`height` but whose pixel data is a few bytes (a decompression bomb header). */
export function pngClaiming(width: number, height: number): Buffer {
  return png(width, height, RGB, Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]));
}

// --- ffmpeg-generated media ----------------------------------------------------------------------

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


// --- The nonverbal evaluation set (shared/eval/audio/nonverbal) ------------------------------------

/** Where the nonverbal evaluation set lives (present only with the shared data). */
export const NONVERBAL_DIR = `${sharedDirectory()}eval/audio/nonverbal/`;

/**
 * The first `count` clips of a class that fit one payload (≤ 5 s), in the set's own order, or undefined
 * without the set. Tests use them as behaviour checks only: nothing is tuned on them.
 */
export function nonverbalClips(className: string, count: number): Buffer[] | undefined {
  if (!existsSync(`${NONVERBAL_DIR}labels.csv`)) return undefined;
  // path,class,…,duration_s: no field is quoted.
  const rows = readFileSync(`${NONVERBAL_DIR}labels.csv`, "utf8").trim().split("\n").slice(1).map((line) => line.split(","));
  return rows.filter((row) => row[1] === className && Number(row.at(-1)) <= 5).slice(0, count).map((row) => readFileSync(`${NONVERBAL_DIR}${row[0]}`));
}
