// decodeMedia: from a read payload to what the models need.

import { ErrorCode, FACEMESH_COORDINATES, FACEMESH_LANDMARKS, type Limits } from "../protocol/index.js";
import { decodeAudioContainer } from "./audio.js";
import { MediaError } from "./errors.js";
import { decodeImage } from "./image.js";
import type { MediaPayload } from "./payload.js";
import type { DecodedMedia, DecodeNeeds, DecodeOptions } from "./types.js";
import { decodeVideo } from "./video.js";

/**
 * Decodes what the models need. Throws MediaError: E0200 corrupt media, E0202 audio models asked but
 * no audio track or undecodable audio, E0203 audio too long, E0204 video too long, E0205 image too
 * large (checked from the header before decoding).
 *
 * An audio payload decoded with `needs.audio` false yields an empty clip (nothing to decode for).
 * A "video" payload with no video stream but an audio stream comes back with kind "audio".
 */
export async function decodeMedia(payload: MediaPayload, needs: DecodeNeeds, limits: Limits, options: DecodeOptions = {}): Promise<DecodedMedia> {
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  try {
    switch (payload.kind) {
      case "text":
        return { kind: "text", text: payload.text };
      case "facemesh":
        return { kind: "facemesh", faces: payload.faces };
      case "image":
        return { kind: "image", image: await decodeImage(payload.bytes, payload.container, limits, options.timeoutMs) };
      case "audio":
        if (!needs.audio) return { kind: "audio", audio: { samples: new Float32Array(0) } };
        return { kind: "audio", audio: await decodeAudioContainer(payload.bytes, payload.container, { maxDurationMs: limits.maxAudioMs, ...timeout }) };
      case "video":
        return await decodeVideo(payload.bytes, payload.container, needs, limits, options);
    }
  } catch (error) {
    if (error instanceof MediaError) throw error;
    throw new MediaError(ErrorCode.Internal, `Media decoding failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Bytes the decoded pixels, samples and landmarks hold (what a payload adds to memory while models run). */
export function decodedBytes(media: DecodedMedia): number {
  switch (media.kind) {
    case "text":
      return 0; // the text is the frame, already counted
    case "image":
      return media.image.data.byteLength;
    case "audio":
      return media.audio.samples.byteLength;
    case "video":
      return media.frames.reduce((sum, frame) => sum + frame.image.data.byteLength, 0) + (media.audio?.samples.byteLength ?? 0);
    case "facemesh":
      return media.faces.length * FACEMESH_LANDMARKS * FACEMESH_COORDINATES * 8;
  }
}
