// Cheap media-kind detection from magic bytes, for choosing how to stream a file. The server does its
// own detection (spec §2.6); this only decides between text, audio windows and a single payload.

import type { MediaKind } from "../protocol/index.js";

export type DetectedKind = MediaKind | "unknown";

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let s = "";
  for (let i = offset; i < offset + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i] ?? 0);
  return s;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean {
  return prefix.every((b, i) => bytes[offset + i] === b);
}

export function detectKind(bytes: Uint8Array): DetectedKind {
  if (bytes.length === 0) return "unknown";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image"; // JPEG
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return "image"; // PNG
  if (ascii(bytes, 0, 4) === "GIF8") return "image";
  if (startsWith(bytes, [0x42, 0x4d]) && bytes.length > 26 && ascii(bytes, 0, 2) === "BM" && bytes[14] !== undefined && bytes[14] <= 124 && bytes[15] === 0) return "image";
  if (ascii(bytes, 0, 4) === "RIFF") {
    const form = ascii(bytes, 8, 4);
    if (form === "WAVE") return "audio";
    if (form === "WEBP") return "image";
    if (form === "AVI ") return "video";
  }
  if (ascii(bytes, 0, 4) === "FORM" && ascii(bytes, 8, 3) === "AIF") return "audio";
  if (ascii(bytes, 0, 3) === "ID3" || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return "audio"; // MP3 / ADTS AAC
  if (ascii(bytes, 0, 4) === "fLaC") return "audio";
  if (ascii(bytes, 0, 4) === "OggS") return ascii(bytes, 28, 8).includes("theora") ? "video" : "audio";
  if (ascii(bytes, 4, 4) === "ftyp") {
    const brand = ascii(bytes, 8, 4);
    if (brand === "M4A " || brand === "M4B " || brand === "M4P ") return "audio";
    if (brand === "heic" || brand === "heix" || brand === "avif" || brand === "mif1") return "image";
    return "video";
  }
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) {
    // Matroska / WebM: audio-only WebM (MediaRecorder) has no video track; scan the header for one.
    const head = ascii(bytes, 0, Math.min(bytes.length, 4096));
    return head.includes("V_") ? "video" : "audio";
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) return "unknown";
  if (looksLikeFacemesh(text)) return "facemesh";
  return "text";
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function looksLikeFacemesh(text: string): boolean {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("[")) return false;
  try {
    const value: unknown = JSON.parse(trimmed);
    return Array.isArray(value) && value.every((face) => Array.isArray(face) && face.every((p) => Array.isArray(p)));
  } catch {
    return false;
  }
}
