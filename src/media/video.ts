// Video decoding through ffmpeg: frames at the face model's fps as RGB, and the audio track.

import { ErrorCode, type Limits } from "../protocol/index.js";
import { decodeAudioContainer, decodeAudioFfmpeg, measuredDurationMs } from "./audio.js";
import { imageTooLarge, MediaError, unknownMedia, videoTooLong } from "./errors.js";
import { FfmpegError, ffmpegFailure, mediaInput, probe, probeRate, probeSeconds, runFfmpeg, type MediaInput, type ProbeResult } from "./ffmpeg.js";
import { probeIsoBmff } from "./iso-bmff.js";
import { PpmStream } from "./ppm.js";
import { ISO_BMFF_CONTAINERS } from "./sniff.js";
import { AUDIO_SAMPLE_RATE, type AudioClip, type DecodedMedia, type DecodeNeeds, type DecodeOptions, type FrameListener, type ImageFrame, type VideoFrame } from "./types.js";

/** Most frames decoded from one payload (fps 0 on a 5 s 60 fps clip). */
export const MAX_VIDEO_FRAMES = 300;
/** Most bytes of decoded RGB frames from one payload. */
export const MAX_VIDEO_FRAME_BYTES = 128 * 1024 * 1024;
const OVERRUN_MARGIN_MS = 500;
/** Used when the stream's frame rate is unknown or implausible (a 1000/1 time base, say). */
const FALLBACK_FPS = 30;
const MAX_PLAUSIBLE_FPS = 240;

function plausibleRate(rate: number | undefined): number | undefined {
  return rate !== undefined && rate <= MAX_PLAUSIBLE_FPS ? rate : undefined;
}

interface FrameResult {
  frames: VideoFrame[];
  /** Milliseconds of video the decoded frames cover. */
  coveredMs: number;
  /** Time of the last decoded frame, milliseconds. */
  lastFrameMs: number;
}

/** The most RGB frames of one payload that fit MAX_VIDEO_FRAMES and MAX_VIDEO_FRAME_BYTES. */
function maxFramesOf(width: number, height: number): number {
  return Math.max(1, Math.min(MAX_VIDEO_FRAMES, Math.floor(MAX_VIDEO_FRAME_BYTES / Math.max(1, width * height * 3))));
}

/** The frames of one ffmpeg run as they arrive: a listener sees those parsed already, then each new one. */
class FrameCollector {
  private listener: ((image: ImageFrame, index: number) => void) | undefined;
  readonly stream: PpmStream;

  constructor(maxFrameBytes: number) {
    this.stream = new PpmStream((image, index) => this.listener?.(image, index), maxFrameBytes);
  }

  listen(listener: (image: ImageFrame, index: number) => void): void {
    this.stream.frames.forEach((image, index) => listener(image, index));
    this.listener = listener;
  }
}

interface ImageRun {
  frames: FrameCollector;
  /** Every frame, once ffmpeg has exited. */
  done: Promise<ImageFrame[]>;
}

/** Runs ffmpeg for up to `maxFrames` RGB frames at `rate` per second, evenly spaced from time 0. */
function decodeImages(input: MediaInput, rate: number, maxFrames: number, maxOutputBytes: number, limits: Limits, timeoutMs: number | undefined, signal?: AbortSignal): ImageRun {
  // The fps filter (also for "every frame", at the source rate) gives evenly spaced frames whose
  // times are exactly i / rate, and works the same on ffmpeg 4 to 7 (unlike -vsync / -fps_mode).
  const args = [
    "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", `fps=${rate}`,
    "-t", ((limits.maxVideoMs + OVERRUN_MARGIN_MS) / 1000).toFixed(3),
    "-frames:v", String(maxFrames),
    "-f", "image2pipe", "-c:v", "ppm", "-pix_fmt", "rgb24", "pipe:1",
  ];
  // A frame larger than the side limit allows (rotation keeps the area) is refused before its pixels
  // are held: the index read in JS gives the size the container claims, which a crafted file may belie.
  const frames = new FrameCollector(Math.min(maxOutputBytes, limits.maxImageSide * limits.maxImageSide * 3));
  const done = runFfmpeg(input, args, {
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(signal === undefined ? {} : { signal }),
    maxOutputBytes,
    onOutput: (chunk) => {
      frames.stream.push(chunk);
      // Stops ffmpeg at once (the runner kills it when its reader throws).
      if (frames.stream.oversized !== undefined) throw new Error("a frame is larger than the limits allow");
    },
  }).then(
    () => frames.stream.frames,
    (error: unknown) => {
      const oversized = frames.stream.oversized;
      throw oversized === undefined ? error : imageTooLarge("Video frames", oversized.width, oversized.height, limits.maxImageSide);
    },
  );
  return { frames, done };
}

/** Output bound for `maxFrames` frames of `frameBytes` (PPM headers included; rotation keeps the area). */
function outputBound(maxFrames: number, frameBytes: number): number {
  return maxFrames * (frameBytes + 64) + 1024;
}

/** A frame decode started before the probe answered. */
interface EarlyFrames extends ImageRun {
  /** Kills the decode (its video was refused, or needs every frame) and resolves once it has exited. */
  abandon(): Promise<void>;
}

/**
 * Frames at `fps` per second, decoded while ffprobe runs (they need only the requested rate, not the
 * stream's header): the two processes' start-up and reading overlap. Undefined when fps_pred asks for
 * every frame, which needs the source rate first.
 */
function decodeFramesEarly(input: MediaInput, fps: number | undefined, limits: Limits, timeoutMs: number | undefined): EarlyFrames | undefined {
  if (fps === undefined || fps <= 0) return undefined;
  const controller = new AbortController();
  const run = decodeImages(input, fps, MAX_VIDEO_FRAMES, outputBound(MAX_VIDEO_FRAMES, MAX_VIDEO_FRAME_BYTES / MAX_VIDEO_FRAMES), limits, timeoutMs, controller.signal);
  const settled = run.done.then(() => undefined, () => undefined);
  return {
    ...run,
    abandon: async () => {
      controller.abort();
      await settled;
    },
  };
}

interface FrameSource {
  input: MediaInput;
  streamWidth: number;
  streamHeight: number;
  sourceFps: number;
}

async function decodeFrames(source: FrameSource, fps: number, limits: Limits, timeoutMs: number | undefined, early: EarlyFrames | undefined, onFrame: FrameListener | undefined): Promise<FrameResult> {
  const { input, sourceFps } = source;
  const everyFrame = fps <= 0 || fps >= sourceFps;
  const rate = everyFrame ? sourceFps : fps;
  const frameBytes = Math.max(1, source.streamWidth * source.streamHeight * 3);
  const maxFrames = maxFramesOf(source.streamWidth, source.streamHeight);
  const frameAt = (image: ImageFrame, i: number): VideoFrame => ({ index: everyFrame ? i : Math.round((i / rate) * sourceFps), time: i / rate, image });
  // Each kept frame reaches `onFrame` once, in order, as soon as ffmpeg has written it; a decode run
  // again (below) repeats frames already handed over, which are skipped.
  let handedOver = 0;
  const handOver = (image: ImageFrame, i: number): void => {
    if (onFrame === undefined || i !== handedOver || i >= maxFrames) return;
    handedOver++;
    onFrame(frameAt(image, i));
  };
  const exact = (): Promise<ImageFrame[]> => {
    const run = decodeImages(input, rate, maxFrames, outputBound(maxFrames, frameBytes), limits, timeoutMs);
    run.frames.listen(handOver);
    return run.done;
  };
  let images: ImageFrame[];
  try {
    if (everyFrame) await early?.abandon();
    if (everyFrame || early === undefined) {
      images = await exact();
    } else {
      early.frames.listen(handOver);
      // The early decode ran at `fps`; it holds more frames than the stream's size allows only for
      // very large frames, whose bytes overrun its bound: those are decoded again, capped by frame count.
      images = await early.done.catch(async (error: unknown) => {
        if (error instanceof FfmpegError && error.reason === "output-limit") return exact();
        throw error;
      });
    }
  } catch (error) {
    throw ffmpegFailure(error, ErrorCode.UnknownMedia, "video");
  }
  const frames = images.slice(0, maxFrames).map(frameAt);
  return { frames, coveredMs: (frames.length / rate) * 1000, lastFrameMs: ((frames.length - 1) / rate) * 1000 };
}

/**
 * Decodes a video payload. A container with no video stream but an audio stream is decoded as audio
 * (the result's kind is then "audio"). Throws E0200 (corrupt), E0202 (audio needed, no audio track),
 * E0204 (longer than limits.maxVideoMs), E0205 (frames larger than limits.maxImageSide).
 */
export async function decodeVideo(bytes: Buffer, container: string, needs: DecodeNeeds, limits: Limits, options: DecodeOptions = {}): Promise<DecodedMedia> {
  const input = mediaInput(bytes, container);
  const early = decodeFramesEarly(input, needs.frameRate, limits, options.timeoutMs);
  try {
    return await decodeProbedVideo(bytes, container, input, needs, limits, options, early);
  } finally {
    // An early frame decode whose video the probe or the limits refused ends with the payload.
    await early?.abandon();
  }
}

async function decodeProbedVideo(
  bytes: Buffer,
  container: string,
  input: MediaInput,
  needs: DecodeNeeds,
  limits: Limits,
  { timeoutMs, onFrame }: DecodeOptions,
  early: EarlyFrames | undefined,
): Promise<DecodedMedia> {
  let probed: ProbeResult;
  try {
    // An MP4/MOV index read here spares an ffprobe process (its start-up costs more CPU than reading).
    probed = (ISO_BMFF_CONTAINERS.has(container) ? probeIsoBmff(bytes) : undefined) ?? (await probe(input, timeoutMs === undefined ? {} : { timeoutMs }));
  } catch (error) {
    throw ffmpegFailure(error, ErrorCode.UnknownMedia, "video");
  }
  const video = probed.streams.find((s) => s.codec_type === "video" && s.disposition?.attached_pic !== 1);
  const audioStream = probed.streams.find((s) => s.codec_type === "audio");
  if (video === undefined) {
    if (audioStream === undefined) throw unknownMedia("the file has no video or audio stream.");
    // Sniffing could not tell (e.g. an MP4 holding only AAC): it is audio.
    const audio: AudioClip = needs.audio
      ? await decodeAudioContainer(bytes, container, { maxDurationMs: limits.maxAudioMs, ...(timeoutMs === undefined ? {} : { timeoutMs }) })
      : { samples: new Float32Array(0) };
    return { kind: "audio", audio };
  }
  const probedMs = (() => {
    const seconds = probeSeconds(probed.format?.duration) ?? probeSeconds(video.duration);
    return seconds === undefined ? undefined : seconds * 1000;
  })();
  if (probedMs !== undefined && probedMs > limits.maxVideoMs) throw videoTooLong(probedMs, limits.maxVideoMs);
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (width > limits.maxImageSide || height > limits.maxImageSide) throw imageTooLarge("Video frames", width, height, limits.maxImageSide);
  if (needs.audio && audioStream === undefined) {
    throw new MediaError(ErrorCode.NoAudio, "No audio could be decoded from the media: the video has no audio track.");
  }
  const sourceFps = plausibleRate(probeRate(video.avg_frame_rate)) ?? plausibleRate(probeRate(video.r_frame_rate)) ?? FALLBACK_FPS;

  const [frameResult, audio] = await Promise.all([
    needs.frameRate !== undefined
      ? decodeFrames({ input, streamWidth: width, streamHeight: height, sourceFps }, needs.frameRate, limits, timeoutMs, early, onFrame)
      : undefined,
    needs.audio ? decodeAudioFfmpeg(input, limits.maxVideoMs, timeoutMs, videoTooLong) : undefined,
  ]);
  if (frameResult !== undefined && frameResult.frames.length === 0) throw unknownMedia("no video frame could be decoded.");
  const audioMs = audio === undefined ? 0 : (audio.length / AUDIO_SAMPLE_RATE) * 1000;
  let durationMs = probedMs ?? Math.max(frameResult?.coveredMs ?? 0, audioMs);
  // No duration in the header (e.g. MediaRecorder WebM): decoding ran past the limit when a frame
  // starts after it (audio overruns are caught by decodeAudioFfmpeg).
  if (probedMs === undefined && frameResult !== undefined && frameResult.lastFrameMs > limits.maxVideoMs) {
    const measured = await measuredDurationMs(input);
    throw measured !== undefined && measured > limits.maxVideoMs
      ? videoTooLong(measured, limits.maxVideoMs)
      : videoTooLong(frameResult.coveredMs, limits.maxVideoMs, true);
  }
  if (probedMs === undefined) durationMs = Math.min(durationMs, limits.maxVideoMs);
  if (probedMs === undefined && frameResult === undefined && audio === undefined) {
    durationMs = (await measuredDurationMs(input)) ?? 0;
    if (durationMs > limits.maxVideoMs) throw videoTooLong(durationMs, limits.maxVideoMs);
  }
  const result: DecodedMedia = { kind: "video", frames: frameResult?.frames ?? [], durationMs };
  if (audio !== undefined) result.audio = { samples: audio };
  return result;
}
