// The one error type media decoding throws; `code` is the wire error code (spec §4).

import { ErrorCode } from "../protocol/index.js";

export class MediaError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "MediaError";
  }
}

/** The E0200 message (spec §4: ≈ "Failed to parse data as a valid media file"). */
export const UNKNOWN_MEDIA_MESSAGE = "Failed to parse data as a valid media file.";
/** The E0201 message, from the docs' description of the code. */
export const INVALID_BASE64_MESSAGE = "Media could not be decoded as a Base64 encoded string.";

export function unknownMedia(detail?: string): MediaError {
  return new MediaError(
    ErrorCode.UnknownMedia,
    detail === undefined ? UNKNOWN_MEDIA_MESSAGE : `Failed to parse data as a valid media file: ${detail}`,
  );
}

/** Seconds with two decimals, as in "Audio is 7.20 s long; the limit is 5.00 s." */
/** E0202 for a decoded audio track with no samples in it. */
export function emptyAudioTrack(): MediaError {
  return new MediaError(ErrorCode.NoAudio, "No audio could be decoded from the media: the audio track is empty.");
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export function audioTooLong(lengthMs: number, limitMs: number, atLeast = false): MediaError {
  return new MediaError(
    ErrorCode.AudioTooLong,
    `Audio is ${atLeast ? "at least " : ""}${formatSeconds(lengthMs)} long; the limit is ${formatSeconds(limitMs)}.`,
  );
}

export function videoTooLong(lengthMs: number, limitMs: number, atLeast = false): MediaError {
  return new MediaError(
    ErrorCode.VideoTooLong,
    `Video is ${atLeast ? "at least " : ""}${formatSeconds(lengthMs)} long; the limit is ${formatSeconds(limitMs)}.`,
  );
}

export function imageTooLarge(what: "Image" | "Video frames", width: number, height: number, maxSide: number): MediaError {
  return new MediaError(
    ErrorCode.ImageTooLarge,
    `${what} ${what === "Image" ? "is" : "are"} ${width}x${height} pixels; the limit is ${maxSide}x${maxSide} pixels.`,
  );
}
