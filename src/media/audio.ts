// Audio decoding to 16 kHz mono float32: WAV and Opus (WebM, Ogg) in-process, everything else through ffmpeg.

import { ErrorCode } from "../protocol/index.js";
import { audioTooLong, emptyAudioTrack, MediaError, unknownMedia } from "./errors.js";
import { ffmpegFailure, mediaInput, probe, probeSeconds, runFfmpeg, type MediaInput } from "./ffmpeg.js";
import { sniffMedia } from "./sniff.js";
import { AUDIO_SAMPLE_RATE, clampSample, type AudioClip } from "./types.js";
import { readOggOpus } from "./ogg.js";
import { decodeOpus, opusDurationMs, type OpusStream } from "./opus.js";
import { decodeWav } from "./wav.js";
import { readWebmOpus } from "./webm.js";

/** Decoding goes this far past a duration limit, to tell "over the limit" from "exactly at it". */
const OVERRUN_MARGIN_MS = 500;
/** Without a duration limit (the CLI cutting long files) decoding may take longer. */
const UNLIMITED_TIMEOUT_MS = 300_000;

export interface DecodeAudioOptions {
  /** Longest audio accepted, milliseconds; longer throws E0203. Undefined = no limit. */
  maxDurationMs?: number;
  /** ffmpeg timeout, milliseconds (default 10 s, or 5 minutes without maxDurationMs). */
  timeoutMs?: number;
}

/**
 * Decodes the first audio stream of `input` with ffmpeg to 16 kHz mono float32. With a limit, decoding
 * stops a little past it (`-t`), so a 1-hour file is never fully decoded; an overrun is measured with
 * ffprobe for the message.
 */
export async function decodeAudioFfmpeg(
  input: MediaInput,
  maxDurationMs: number | undefined,
  timeoutMs: number | undefined,
  tooLong: (lengthMs: number, limitMs: number, atLeast?: boolean) => MediaError = audioTooLong,
): Promise<Float32Array> {
  const capMs = maxDurationMs === undefined ? undefined : maxDurationMs + OVERRUN_MARGIN_MS;
  const args = ["-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", "1", "-ar", String(AUDIO_SAMPLE_RATE)];
  if (capMs !== undefined) args.push("-t", (capMs / 1000).toFixed(3));
  args.push("-f", "f32le", "pipe:1");
  const maxOutputBytes =
    capMs === undefined ? 4 * AUDIO_SAMPLE_RATE * 3 * 3600 /* 3 hours */ : Math.ceil((capMs / 1000) * AUDIO_SAMPLE_RATE * 4) + 65536;
  let stdout: Buffer;
  try {
    ({ stdout } = await runFfmpeg(input, args, { timeoutMs: timeoutMs ?? (maxDurationMs === undefined ? UNLIMITED_TIMEOUT_MS : undefined), maxOutputBytes }));
  } catch (error) {
    throw ffmpegFailure(error, ErrorCode.NoAudio, "audio");
  }
  const count = Math.floor(stdout.length / 4);
  if (count === 0) throw emptyAudioTrack();
  const samples = new Float32Array(count);
  for (let i = 0; i < count; i++) samples[i] = clampSample(stdout.readFloatLE(i * 4));
  const decodedMs = (count / AUDIO_SAMPLE_RATE) * 1000;
  if (maxDurationMs !== undefined && decodedMs > maxDurationMs) {
    const measured = await measuredDurationMs(input);
    throw measured !== undefined && measured > maxDurationMs
      ? tooLong(measured, maxDurationMs)
      : tooLong(decodedMs, maxDurationMs, true);
  }
  return samples;
}

/** The container's duration from ffprobe (on a seekable copy, so Ogg and WebM can be measured too). */
export async function measuredDurationMs(input: MediaInput): Promise<number | undefined> {
  try {
    const result = await probe({ ...input, seekable: true });
    const seconds = probeSeconds(result.format?.duration);
    return seconds === undefined ? undefined : seconds * 1000;
  } catch {
    return undefined;
  }
}

/** The Opus stream that `read` finds, decoded in-process; undefined when ffmpeg must decode the file. */
async function decodeOpusIn(read: (bytes: Buffer) => OpusStream | undefined, bytes: Buffer, maxDurationMs: number | undefined): Promise<Float32Array | undefined> {
  const track = read(bytes);
  if (track === undefined) return undefined;
  const durationMs = opusDurationMs(track);
  if (maxDurationMs !== undefined && durationMs > maxDurationMs) throw audioTooLong(durationMs, maxDurationMs);
  const samples = await decodeOpus(track);
  if (samples.length === 0) throw emptyAudioTrack();
  return samples;
}

/**
 * Containers read in-process, which is faster than starting ffmpeg: each reader returns undefined for
 * a file it does not handle exactly (float WAV variants, laced or multi-track WebM…), and ffmpeg decodes it.
 */
const IN_PROCESS_DECODERS: Readonly<Record<string, (bytes: Buffer, maxDurationMs: number | undefined) => Promise<Float32Array | undefined>>> = {
  wav: async (bytes, maxDurationMs) => decodeWav(bytes, maxDurationMs),
  webm: (bytes, maxDurationMs) => decodeOpusIn(readWebmOpus, bytes, maxDurationMs),
  matroska: (bytes, maxDurationMs) => decodeOpusIn(readWebmOpus, bytes, maxDurationMs),
  ogg: (bytes, maxDurationMs) => decodeOpusIn(readOggOpus, bytes, maxDurationMs),
};

/** Audio bytes of a known container (from sniffing) → 16 kHz mono. */
export async function decodeAudioContainer(bytes: Buffer, container: string | undefined, options: DecodeAudioOptions): Promise<AudioClip> {
  const inProcess = container === undefined ? undefined : IN_PROCESS_DECODERS[container];
  const samples = await inProcess?.(bytes, options.maxDurationMs);
  if (samples !== undefined) return { samples };
  return { samples: await decodeAudioFfmpeg(mediaInput(bytes, container), options.maxDurationMs, options.timeoutMs) };
}

/**
 * Audio bytes (any supported container) → 16 kHz mono float32. WAV (integer PCM or float) and Opus in
 * WebM or Ogg are decoded in-process; everything else goes through ffmpeg. Throws MediaError: E0200 unknown format, E0202
 * undecodable or no audio, E0203 longer than `maxDurationMs`.
 */
export async function decodeAudio(bytes: Buffer, options: DecodeAudioOptions = {}): Promise<AudioClip> {
  const sniffed = sniffMedia(bytes);
  if (sniffed === undefined || sniffed.kind === "image") throw unknownMedia("the data is not a known audio or video format.");
  return decodeAudioContainer(bytes, sniffed.container, options);
}
