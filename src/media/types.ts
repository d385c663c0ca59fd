// Decoded media handed to models. Kinds are detected from bytes, never from hints (spec §2.6).

import type { MediaKind } from "../protocol/index.js";

/** RGB, 8 bits per channel, row-major, EXIF orientation already applied. */
export interface ImageFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

export const AUDIO_SAMPLE_RATE = 16_000;

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

export type DecodedMedia =
  | { kind: "text"; text: string }
  | { kind: "image"; image: ImageFrame }
  | { kind: "audio"; audio: AudioClip }
  | { kind: "video"; frames: VideoFrame[]; audio?: AudioClip; durationMs: number }
  | { kind: "facemesh"; faces: number[][][] };

export type { MediaKind };
