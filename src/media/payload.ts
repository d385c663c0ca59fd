// Payload reading (spec §2.5–2.6): the cheap, synchronous step before any decoding.

import { ErrorCode, FACEMESH_COORDINATES, FACEMESH_LANDMARKS, type Limits } from "../protocol/index.js";
import { decodeBase64Strict, stripDataUrlPrefix } from "./base64.js";
import { INVALID_BASE64_MESSAGE, MediaError, unknownMedia } from "./errors.js";
import { sniffMedia } from "./sniff.js";

/** A payload whose kind is known; cheap to build (no decoding of image/audio/video). */
export type MediaPayload =
  | { kind: "text"; text: string }
  | { kind: "facemesh"; faces: number[][][] }
  | { kind: "image" | "audio" | "video"; bytes: Buffer; container: string };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Replaces lone UTF-16 surrogates with U+FFFD. */
export function toWellFormed(text: string): string {
  return HAS_LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATE, "\uFFFD") : text;
}

/** Length in Unicode code points (an emoji outside the BMP counts once). */
export function codePointLength(text: string): number {
  let surrogatePairs = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        surrogatePairs++;
        i++;
      }
    }
  }
  return text.length - surrogatePairs;
}

/** E0206; `measure` says how long the text is ("12000 characters long"). */
function textTooLong(measure: string, limits: Limits): MediaError {
  return new MediaError(ErrorCode.TextTooLong, `Text is ${measure}; the limit is ${limits.maxTextChars} characters.`);
}

/**
 * The language tokenizer works on the NFKC form, which can be far longer than the text (U+FDFA becomes 18
 * characters), so the limit holds for that form too: it bounds the model's work, not only the frame.
 */
function checkNormalizedLength(text: string, limits: Limits): void {
  const normalized = text.normalize("NFKC");
  // UTF-16 units are never fewer than code points: within the limit, there is nothing to count.
  if (normalized.length <= limits.maxTextChars) return;
  const length = codePointLength(normalized);
  if (length > limits.maxTextChars) {
    throw textTooLong(`${length} characters long after Unicode normalization (NFKC)`, limits);
  }
}

function checkText(text: string, limits: Limits): { kind: "text"; text: string } {
  // A lone surrogate counts once, as its U+FFFD replacement will. The raw length is checked first (cheap),
  // so that an overlong text is never normalized.
  const length = codePointLength(text);
  if (length > limits.maxTextChars) throw textTooLong(`${length} characters long`, limits);
  const wellFormed = toWellFormed(text);
  checkNormalizedLength(wellFormed, limits);
  return { kind: "text", text: wellFormed };
}

// --- Facemesh -----------------------------------------------------------------------------------

function invalidFacemesh(detail: string): MediaError {
  return new MediaError(
    ErrorCode.InvalidFacemesh,
    `Facemesh data must be a JSON array of shape (n_faces, ${FACEMESH_LANDMARKS}, ${FACEMESH_COORDINATES}) of finite numbers: ${detail}`,
  );
}

/** Checks shape (n, 478, 3), finiteness and the face count. */
export function validateFacemesh(value: unknown, limits: Limits): number[][][] {
  if (!Array.isArray(value)) throw invalidFacemesh("the top level is not an array.");
  if (value.length === 0) throw invalidFacemesh("it has no faces.");
  if (value.length > limits.maxFacemeshFaces) {
    throw new MediaError(
      ErrorCode.InvalidFacemesh,
      `Facemesh data has ${value.length} faces; the limit is ${limits.maxFacemeshFaces} faces.`,
    );
  }
  for (let f = 0; f < value.length; f++) {
    const face: unknown = value[f];
    if (!Array.isArray(face)) throw invalidFacemesh(`face ${f} is not an array.`);
    if (face.length !== FACEMESH_LANDMARKS) throw invalidFacemesh(`face ${f} has ${face.length} landmarks.`);
    for (let l = 0; l < face.length; l++) {
      const point: unknown = face[l];
      if (!Array.isArray(point) || point.length !== FACEMESH_COORDINATES) {
        throw invalidFacemesh(`landmark ${l} of face ${f} is not an array of ${FACEMESH_COORDINATES} numbers.`);
      }
      for (const coordinate of point as unknown[]) {
        if (typeof coordinate !== "number" || !Number.isFinite(coordinate)) {
          throw invalidFacemesh(`landmark ${l} of face ${f} has a value that is not a finite number.`);
        }
      }
    }
  }
  return value as number[][][];
}

/** The parsed JSON when `text` is a JSON array, else undefined. */
function parseJsonArray(text: string): unknown[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return Array.isArray(value) ? value : undefined;
}

/** A non-empty JSON array whose first item is an array: what a facemesh payload looks like before validation. */
function looksLikeFacemesh(value: unknown[]): boolean {
  return value.length > 0 && Array.isArray(value[0]);
}

/** base64(JSON) of a facemesh starts "W1" ("[[") or "W" + whitespace encodings: cheap pre-filter before decoding. */
const BASE64_FACEMESH_START = /^\s*W[A-Za-z0-9+/_-]{15}/;

function firstNonSpace(text: string): string {
  const match = /\S/.exec(text.length > 256 ? text.slice(0, 256) : text);
  return match === null ? "" : match[0];
}

function firstNonSpaceByte(bytes: Buffer): number {
  for (let i = 0; i < Math.min(bytes.length, 256); i++) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
  }
  return -1;
}

/** Facemesh from base64(JSON) bytes, when they are a JSON array of arrays. */
function facemeshFromBytes(bytes: Buffer, limits: Limits): MediaPayload | undefined {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3; // UTF-8 BOM
  if (firstNonSpaceByte(bytes.subarray(start)) !== 0x5b /* [ */) return undefined;
  const array = parseJsonArray(bytes.toString("utf8", start));
  if (array === undefined || !looksLikeFacemesh(array)) return undefined;
  return { kind: "facemesh", faces: validateFacemesh(array, limits) };
}

// --- Text from bytes ----------------------------------------------------------------------------

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Control characters that never occur in text (everything below 0x20 except \t \n \v \f \r and ESC). */
function hasBinaryControl(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x20 && (b < 0x09 || (b > 0x0d && b !== 0x1b))) return true;
  }
  return false;
}

function textFromBytes(bytes: Buffer): string | undefined {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    try {
      const text = new TextDecoder(bytes[0] === 0xff ? "utf-16le" : "utf-16be", { fatal: true }).decode(bytes);
      return text.includes("\0") ? undefined : text;
    } catch {
      return undefined;
    }
  }
  if (hasBinaryControl(bytes)) return undefined;
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

// --- Entry point --------------------------------------------------------------------------------

/** Kind detection from decoded bytes: facemesh JSON, then known binary formats, then UTF-8 text. */
export function classifyBytes(bytes: Buffer, limits: Limits): MediaPayload {
  if (bytes.length === 0) throw unknownMedia("the payload is empty.");
  const facemesh = facemeshFromBytes(bytes, limits);
  if (facemesh !== undefined) return facemesh;
  const sniffed = sniffMedia(bytes);
  if (sniffed !== undefined) return { kind: sniffed.kind, bytes, container: sniffed.container };
  const text = textFromBytes(bytes);
  if (text !== undefined) return checkText(text, limits);
  throw unknownMedia();
}

/**
 * Reads one payload's `data` (spec §2.5–2.6). Sync and cheap: data-URL prefix strip, strict base64
 * decode (E0201), facemesh detection and validation (E0207), kind sniffing (E0200 when unknown),
 * and the text length check (E0206, before and after NFKC normalization).
 */
export function readPayload(data: string, rawText: boolean, limits: Limits): MediaPayload {
  if (rawText) {
    // The TS SDK's sendFacemesh sends base64(JSON) with raw_text true; Python sends raw JSON.
    const first = firstNonSpace(data);
    if (first === "[") {
      const array = parseJsonArray(data);
      if (array !== undefined && looksLikeFacemesh(array)) {
        return { kind: "facemesh", faces: validateFacemesh(array, limits) };
      }
    } else if (first === "W" /* base64 of "[" */ && BASE64_FACEMESH_START.test(data.slice(0, 64))) {
      const bytes = decodeBase64Strict(data);
      if (bytes !== undefined && firstNonSpaceByte(bytes) === 0x5b) {
        const array = parseJsonArray(bytes.toString("utf8"));
        if (array !== undefined && looksLikeFacemesh(array)) {
          return { kind: "facemesh", faces: validateFacemesh(array, limits) };
        }
      }
    }
    return checkText(data, limits);
  }
  if (firstNonSpace(data) === "[") {
    const array = parseJsonArray(data);
    if (array !== undefined) return { kind: "facemesh", faces: validateFacemesh(array, limits) };
  }
  const bytes = decodeBase64Strict(stripDataUrlPrefix(data));
  if (bytes === undefined) throw new MediaError(ErrorCode.InvalidBase64, INVALID_BASE64_MESSAGE);
  return classifyBytes(bytes, limits);
}
