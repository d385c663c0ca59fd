// Image decoding with sharp (BMP through ffmpeg): dimensions are checked from the header before any
// pixel is decoded; EXIF orientation applied; alpha flattened; raw RGB out.

import sharp from "sharp";
import { ErrorCode, type Limits } from "../protocol/index.js";
import { imageTooLarge, unknownMedia } from "./errors.js";
import { ffmpegFailure, mediaInput, runFfmpeg } from "./ffmpeg.js";
import { parsePpmFrames } from "./ppm.js";
import type { ImageFrame } from "./types.js";

const FLATTEN_BACKGROUND = { r: 255, g: 255, b: 255 };

// libvips' operation cache (up to 50 MB by default) only pays off when the same image is processed
// again; every payload here is new, so it would only hold memory (RSS) between payloads.
sharp.cache(false);

/** Width and height from a BMP header (BITMAPCOREHEADER or later), undefined when truncated. */
export function bmpDimensions(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 26) return undefined;
  const headerSize = bytes.readUInt32LE(14);
  if (headerSize === 12) return { width: bytes.readUInt16LE(18), height: bytes.readUInt16LE(20) };
  return { width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)) };
}

function checkSize(width: number, height: number, limits: Limits): void {
  if (width > limits.maxImageSide || height > limits.maxImageSide) throw imageTooLarge("Image", width, height, limits.maxImageSide);
}

async function decodeBmp(bytes: Buffer, limits: Limits, timeoutMs: number | undefined): Promise<ImageFrame> {
  const size = bmpDimensions(bytes);
  if (size === undefined || size.width === 0 || size.height === 0) throw unknownMedia("the BMP header is invalid.");
  checkSize(size.width, size.height, limits);
  let stdout: Buffer;
  try {
    ({ stdout } = await runFfmpeg(
      mediaInput(bytes, "bmp"),
      ["-frames:v", "1", "-f", "image2pipe", "-c:v", "ppm", "-pix_fmt", "rgb24", "pipe:1"],
      { ...(timeoutMs === undefined ? {} : { timeoutMs }), maxOutputBytes: size.width * size.height * 3 + 1024 },
    ));
  } catch (error) {
    throw ffmpegFailure(error, ErrorCode.UnknownMedia, "image");
  }
  const frame = parsePpmFrames(stdout)[0];
  if (frame === undefined) throw unknownMedia("the image could not be decoded.");
  return frame;
}

/** Decodes an image payload to RGB. E0205 when a side exceeds limits.maxImageSide, E0200 when corrupt. */
export async function decodeImage(bytes: Buffer, container: string, limits: Limits, timeoutMs?: number): Promise<ImageFrame> {
  if (container === "bmp") return decodeBmp(bytes, limits, timeoutMs);
  const options: sharp.SharpOptions = {
    limitInputPixels: Math.max(1, limits.maxImageSide * limits.maxImageSide),
    failOn: "error",
    pages: 1,
  };
  let metadata: sharp.Metadata;
  try {
    // The header only: no pixel limit here, so an oversized image gets E0205 with its size, not E0200.
    metadata = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
  } catch {
    throw unknownMedia("the image could not be decoded.");
  }
  const width = metadata.width ?? 0;
  const height = metadata.pageHeight ?? metadata.height ?? 0;
  if (width === 0 || height === 0) throw unknownMedia("the image has no size.");
  checkSize(width, height, limits);
  try {
    const { data, info } = await sharp(bytes, options)
      .rotate()
      .flatten({ background: FLATTEN_BACKGROUND })
      .toColourspace("srgb")
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: toRgb(data, info.channels, info.width * info.height) };
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message)) throw imageTooLarge("Image", width, height, limits.maxImageSide);
    throw unknownMedia("the image could not be decoded.");
  }
}

function toRgb(data: Buffer, channels: number, pixels: number): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (channels === 3) return view;
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    if (channels < 3) {
      const v = view[p * channels]!;
      out[p * 3] = v;
      out[p * 3 + 1] = v;
      out[p * 3 + 2] = v;
    } else {
      out[p * 3] = view[p * channels]!;
      out[p * 3 + 1] = view[p * channels + 1]!;
      out[p * 3 + 2] = view[p * channels + 2]!;
    }
  }
  return out;
}
