// Decoded media handed to models. Kinds are detected from bytes, never from hints (spec §2.6).

import type { MediaKind } from "../protocol/index.js";

/** RGB, 8 bits per channel, row-major, EXIF orientation already applied. */
export interface ImageFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

export const AUDIO_SAMPLE_RATE = 16_000;

/** A decoded sample held to [-1, 1], NaN as silence: what every audio decoder hands on. */
export function clampSample(value: number): number {
  return value > 1 ? 1 : value < -1 ? -1 : value === value ? value : 0;
}

/** Mono float32 PCM in [-1, 1] at AUDIO_SAMPLE_RATE. */
export interface AudioClip {
  samples: Float32Array;
}

export interface VideoFrame {
  /** Index of the frame in the original video. */
  index: number;
  /** Seconds from the start of the payload. */
  time: number;
  image: ImageFrame;
}

/** Called with each video frame a decode keeps, in order, as soon as it is decoded (before the decode ends). */
export type FrameListener = (frame: VideoFrame) => void;

export interface DecodeOptions {
  /** Per ffmpeg process, milliseconds (default 10 s). */
  timeoutMs?: number;
  /** Sees a video's frames while the rest of the payload still decodes (a model may start on them). */
  onFrame?: FrameListener;
}

export type DecodedMedia =
  | { kind: "text"; text: string }
  | { kind: "image"; image: ImageFrame }
  | { kind: "audio"; audio: AudioClip }
  | { kind: "video"; frames: VideoFrame[]; audio?: AudioClip; durationMs: number }
  | { kind: "facemesh"; faces: number[][][] };

export type { MediaKind };

/**
 * What the models of one request need decoded; each model declares its own from its config and the
 * registry merges them. Images are always decoded (a model that accepts images reads their pixels).
 */
export interface DecodeNeeds {
  /** Video frames, at most this many per second (0: every frame); undefined: no frames. */
  frameRate: number | undefined;
  /** The audio of audio payloads and the audio track of videos. */
  audio: boolean;
  /** The connection's sliding audio window, after this payload's audio is appended (implies `audio`). */
  audioWindow: boolean;
}

export const NO_DECODE_NEEDS: Readonly<DecodeNeeds> = { frameRate: undefined, audio: false, audioWindow: false };

/** What two sets of models need together: every frame wins over a rate, a higher rate over a lower one. */
export function mergeDecodeNeeds(a: Readonly<DecodeNeeds>, b: Readonly<DecodeNeeds>): DecodeNeeds {
  const rates = [a.frameRate, b.frameRate].filter((r): r is number => r !== undefined);
  return {
    frameRate: rates.length === 0 ? undefined : rates.includes(0) ? 0 : Math.max(...rates),
    audio: a.audio || b.audio || a.audioWindow || b.audioWindow,
    audioWindow: a.audioWindow || b.audioWindow,
  };
}
