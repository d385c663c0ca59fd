// In-process WAV (RIFF WAVE) parsing and resampling to 16 kHz mono float32: the fast path that
// avoids an ffmpeg process for the most common streaming payload.

import { ErrorCode } from "../protocol/index.js";
import { audioTooLong, MediaError } from "./errors.js";
import { AUDIO_SAMPLE_RATE } from "./types.js";

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

export interface WavInfo {
  /** 1 = integer PCM, 3 = IEEE float; other codecs are left to ffmpeg. */
  format: number;
  channels: number;
  sampleRate: number;
  /** Bits per sample as stored (container size). */
  bitsPerSample: number;
  /** Bytes per frame (all channels). */
  blockAlign: number;
  /** Byte offset of the sample data. */
  dataOffset: number;
  /** Bytes of sample data, clamped to the buffer and to whole frames. */
  dataBytes: number;
  frames: number;
  durationMs: number;
}

function noAudio(detail: string): MediaError {
  return new MediaError(ErrorCode.NoAudio, `No audio could be decoded from the media: ${detail}`);
}

/**
 * Reads the RIFF chunks of a WAV file. Lying chunk sizes are clamped to the buffer; a data size of
 * 0 or 0xFFFFFFFF (streaming writers) means "to the end". Returns undefined when the file is not a
 * little-endian RIFF WAVE or stores a codec other than integer PCM or float (left to ffmpeg).
 */
export function parseWavHeader(bytes: Buffer): WavInfo | undefined {
  if (bytes.length < 12 || bytes.toString("latin1", 0, 4) !== "RIFF" || bytes.toString("latin1", 8, 12) !== "WAVE") return undefined;
  let offset = 12;
  let fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | undefined;
  let data: { offset: number; bytes: number } | undefined;
  while (offset + 8 <= bytes.length && data === undefined) {
    const id = bytes.toString("latin1", offset, offset + 4);
    const declared = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    const available = bytes.length - body;
    if (id === "fmt ") {
      if (declared < 14 || available < 16) throw noAudio("the WAV format chunk is truncated.");
      let format = bytes.readUInt16LE(body);
      const bits = bytes.readUInt16LE(body + 14);
      if (format === WAVE_FORMAT_EXTENSIBLE) {
        if (Math.min(declared, available) < 40) throw noAudio("the WAV extensible format chunk is truncated.");
        format = bytes.readUInt16LE(body + 24); // first two bytes of the SubFormat GUID
      }
      fmt = {
        format,
        channels: bytes.readUInt16LE(body + 2),
        sampleRate: bytes.readUInt32LE(body + 4),
        blockAlign: bytes.readUInt16LE(body + 12),
        bits,
      };
    } else if (id === "data") {
      const size = declared === 0 || declared === 0xffffffff || declared > available ? available : declared;
      data = { offset: body, bytes: size };
      break;
    }
    // Chunks are padded to even sizes; a lying size simply ends the walk.
    const next = body + declared + (declared & 1);
    if (next <= offset) break;
    offset = next;
  }
  if (fmt === undefined) throw noAudio("the WAV file has no format chunk.");
  if (data === undefined) throw noAudio("the WAV file has no data chunk.");
  if (fmt.format !== WAVE_FORMAT_PCM && fmt.format !== WAVE_FORMAT_IEEE_FLOAT) return undefined;
  const supported =
    fmt.format === WAVE_FORMAT_PCM ? [8, 16, 24, 32].includes(fmt.bits) : fmt.bits === 32 || fmt.bits === 64;
  if (!supported) return undefined;
  if (fmt.channels < 1) throw noAudio("the WAV header declares no channels.");
  if (fmt.sampleRate < 1000 || fmt.sampleRate > 1_536_000) throw noAudio(`the WAV sample rate ${fmt.sampleRate} Hz is not plausible.`);
  const frameBytes = fmt.channels * (fmt.bits / 8);
  const blockAlign = fmt.blockAlign >= frameBytes ? fmt.blockAlign : frameBytes;
  const frames = Math.floor(data.bytes / blockAlign);
  return {
    format: fmt.format,
    channels: fmt.channels,
    sampleRate: fmt.sampleRate,
    bitsPerSample: fmt.bits,
    blockAlign,
    dataOffset: data.offset,
    dataBytes: frames * blockAlign,
    frames,
    durationMs: (frames / fmt.sampleRate) * 1000,
  };
}

/** Mixes all channels down to mono float32 in [-1, 1] at the file's own rate. */
export function wavToMono(bytes: Buffer, info: WavInfo): Float32Array {
  const { channels, blockAlign, frames, dataOffset } = info;
  const out = new Float32Array(frames);
  const sampleBytes = info.bitsPerSample / 8;
  const scale = 1 / channels;
  let read: (at: number) => number;
  if (info.format === WAVE_FORMAT_IEEE_FLOAT) {
    read = sampleBytes === 4 ? (at) => bytes.readFloatLE(at) : (at) => bytes.readDoubleLE(at);
  } else {
    switch (info.bitsPerSample) {
      case 8:
        read = (at) => (bytes[at]! - 128) / 128;
        break;
      case 16:
        read = (at) => bytes.readInt16LE(at) / 32768;
        break;
      case 24:
        read = (at) => bytes.readIntLE(at, 3) / 8388608;
        break;
      default:
        read = (at) => bytes.readInt32LE(at) / 2147483648;
    }
  }
  for (let f = 0; f < frames; f++) {
    const base = dataOffset + f * blockAlign;
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read(base + c * sampleBytes);
    const value = sum * scale;
    // Float files may hold NaN or out-of-range values.
    out[f] = value > 1 ? 1 : value < -1 ? -1 : value === value ? value : 0;
  }
  return out;
}

// --- Resampling ---------------------------------------------------------------------------------

const ZERO_CROSSINGS = 16;
const TABLE_STEPS = 512;
/** Kaiser-windowed sinc, sampled TABLE_STEPS times per zero crossing, for x in [0, ZERO_CROSSINGS]. */
const SINC_TABLE = (() => {
  const beta = 8.6;
  const bessel0 = (x: number): number => {
    let sum = 1;
    let term = 1;
    for (let k = 1; k < 30; k++) {
      term *= (x / (2 * k)) ** 2;
      sum += term;
    }
    return sum;
  };
  const size = ZERO_CROSSINGS * TABLE_STEPS + 2;
  const table = new Float64Array(size);
  const denominator = bessel0(beta);
  for (let i = 0; i < size; i++) {
    const x = i / TABLE_STEPS;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const r = x / ZERO_CROSSINGS;
    table[i] = r >= 1 ? 0 : (sinc * bessel0(beta * Math.sqrt(1 - r * r))) / denominator;
  }
  return table;
})();

function kernel(x: number): number {
  const position = Math.abs(x) * TABLE_STEPS;
  const i = Math.floor(position);
  if (i >= ZERO_CROSSINGS * TABLE_STEPS) return 0;
  const frac = position - i;
  return SINC_TABLE[i]! + (SINC_TABLE[i + 1]! - SINC_TABLE[i]!) * frac;
}

/** Highest WAV sample rate resampled on the main thread; higher rates go through ffmpeg. */
export const MAX_IN_PROCESS_RATE = 48_000;

/** Band-limited (windowed-sinc) resampling. Output length is round(n · to / from). */
export function resample(input: Float32Array, from: number, to: number = AUDIO_SAMPLE_RATE): Float32Array {
  if (from === to) return input;
  const outLength = Math.round((input.length * to) / from);
  const out = new Float32Array(outLength);
  const step = from / to; // input samples per output sample
  const cutoff = Math.min(1, to / from) * 0.97; // relative to the input Nyquist, with a little roll-off room
  const halfWidth = ZERO_CROSSINGS / cutoff; // in input samples
  const n = input.length;
  for (let i = 0; i < outLength; i++) {
    const center = i * step;
    const first = Math.max(0, Math.ceil(center - halfWidth));
    const last = Math.min(n - 1, Math.floor(center + halfWidth));
    let sum = 0;
    for (let j = first; j <= last; j++) sum += input[j]! * kernel((center - j) * cutoff);
    const value = sum * cutoff;
    out[i] = value > 1 ? 1 : value < -1 ? -1 : value;
  }
  return out;
}

/**
 * Decodes an integer-PCM or float WAV to 16 kHz mono. The duration is checked from the header before
 * any conversion. Returns undefined when the WAV stores another codec (ADPCM, µ-law, …) or a rate above
 * MAX_IN_PROCESS_RATE, whose resampling would block the event loop: use ffmpeg.
 */
export function decodeWav(bytes: Buffer, maxDurationMs: number | undefined): Float32Array | undefined {
  const info = parseWavHeader(bytes);
  if (info === undefined) return undefined;
  if (maxDurationMs !== undefined && info.durationMs > maxDurationMs) throw audioTooLong(info.durationMs, maxDurationMs);
  if (info.frames === 0) throw noAudio("the WAV file holds no samples.");
  if (info.sampleRate > MAX_IN_PROCESS_RATE) return undefined;
  return resample(wavToMono(bytes, info), info.sampleRate);
}
