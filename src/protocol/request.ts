// Parses and validates one client frame into a StreamRequest (spec §2). Pure: no I/O.

import { ErrorCode } from "./codes.js";
import { nestsDeeperThan, topLevelPayloadId } from "./json-depth.js";
import { STREAM_WINDOW_MS } from "./limits.js";
import {
  LANGUAGE_GRANULARITIES,
  MODEL_NAMES,
  type FaceConfig,
  type LanguageConfig,
  type LanguageGranularity,
  type ModelConfigs,
  type ModelName,
  type StreamRequest,
} from "./types.js";

export interface RequestError {
  code: ErrorCode;
  message: string;
  /** The payload_id, when it could be read, so error replies still echo it. */
  payload_id?: string;
}

export type ParseResult = { ok: true; request: StreamRequest } | ({ ok: false } & RequestError);

export const TOP_LEVEL_KEYS = ["data", "models", "stream_window_ms", "reset_stream", "raw_text", "job_details", "payload_id"] as const;
export const FACE_KEYS = ["facs", "descriptions", "identify_faces", "fps_pred", "prob_threshold", "min_face_size"] as const;
export const LANGUAGE_KEYS = ["granularity", "sentiment", "toxicity"] as const;
/** Batch-only options the legacy Python SDK may send; accepted and ignored (spec §2.1–§2.3). */
export const IGNORED_BATCH_KEYS: Readonly<Partial<Record<ModelName, readonly string[]>>> = {
  face: ["save_faces"],
  language: ["identify_speakers"],
};

/** The accepted range of each numeric face option (inclusive). */
export const FACE_RANGES = {
  fps_pred: { min: 0, max: 1000 },
  prob_threshold: { min: 0, max: 1 },
  min_face_size: { min: 0, max: 1_000_000 },
} as const;

export const FACE_DEFAULTS: Readonly<FaceConfig> = {
  facs: false,
  descriptions: false,
  identify_faces: false,
  fps_pred: 3,
  prob_threshold: 0.99,
  min_face_size: 60,
};

export const LANGUAGE_DEFAULTS: Readonly<LanguageConfig> = {
  granularity: "word",
  sentiment: false,
  toxicity: false,
};

class InvalidRequest extends Error {}

function snakeToCamel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Longest unknown key quoted back in an error message; a frame may hold a key of megabytes. */
const MAX_QUOTED_KEY = 64;

function quoteKey(key: string): string {
  if (key.length <= MAX_QUOTED_KEY) return key; // UTF-16 length >= code points: short enough
  let head = "";
  let symbols = 0;
  // One pass, no array of the whole key (it may be megabytes).
  for (const symbol of key) {
    if (symbols < MAX_QUOTED_KEY) head += symbol;
    symbols++;
  }
  return symbols <= MAX_QUOTED_KEY ? key : `${head}… (${symbols} characters)`;
}

function rejectUnknownKeys(obj: Record<string, unknown>, known: readonly string[], where: string, ignored: readonly string[] = []): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key) || ignored.includes(key)) continue;
    const snake = known.find((k) => snakeToCamel(k) === key);
    const hint = snake === undefined ? "" : ` (use the snake_case name '${snake}')`;
    throw new InvalidRequest(`Extra inputs are not permitted: '${quoteKey(key)}'${where}${hint}.`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads a flag; JSON `false`, `true`, `0` and `1` are accepted (spec §2.4). */
function readFlag(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "boolean") return value;
  if (value === 0 || value === 1) return value === 1;
  throw new InvalidRequest(`Field '${field}' must be a boolean.`);
}

function readNumber(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new InvalidRequest(`Field '${field}' must be a number.`);
  if (value < min || value > max) throw new InvalidRequest(`Field '${field}' must be between ${min} and ${max}, got ${value}.`);
  return value;
}

/** Presence of an object (even `{}`) enables an optional output; `null` or absence disables it. */
function readPresence(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (isPlainObject(value)) return true;
  throw new InvalidRequest(`Field '${field}' must be an object or null.`);
}

function parseFace(raw: Record<string, unknown>): FaceConfig {
  rejectUnknownKeys(raw, FACE_KEYS, " in models.face", IGNORED_BATCH_KEYS.face);
  return {
    facs: readPresence(raw.facs, "models.face.facs"),
    descriptions: readPresence(raw.descriptions, "models.face.descriptions"),
    identify_faces: readFlag(raw.identify_faces, "models.face.identify_faces"),
    fps_pred: readNumber(raw.fps_pred, "models.face.fps_pred", FACE_RANGES.fps_pred.min, FACE_RANGES.fps_pred.max, FACE_DEFAULTS.fps_pred),
    prob_threshold: readNumber(raw.prob_threshold, "models.face.prob_threshold", FACE_RANGES.prob_threshold.min, FACE_RANGES.prob_threshold.max, FACE_DEFAULTS.prob_threshold),
    min_face_size: readNumber(raw.min_face_size, "models.face.min_face_size", FACE_RANGES.min_face_size.min, FACE_RANGES.min_face_size.max, FACE_DEFAULTS.min_face_size),
  };
}

function parseLanguage(raw: Record<string, unknown>): LanguageConfig {
  rejectUnknownKeys(raw, LANGUAGE_KEYS, " in models.language", IGNORED_BATCH_KEYS.language);
  let granularity: LanguageGranularity = LANGUAGE_DEFAULTS.granularity;
  if (raw.granularity !== undefined && raw.granularity !== null) {
    if (typeof raw.granularity !== "string" || !(LANGUAGE_GRANULARITIES as readonly string[]).includes(raw.granularity)) {
      throw new InvalidRequest(
        `Field 'models.language.granularity' must be one of ${LANGUAGE_GRANULARITIES.map((g) => `'${g}'`).join(", ")}.`,
      );
    }
    granularity = raw.granularity as LanguageGranularity;
  }
  return {
    granularity,
    sentiment: readPresence(raw.sentiment, "models.language.sentiment"),
    toxicity: readPresence(raw.toxicity, "models.language.toxicity"),
  };
}

function parseModels(value: unknown): ModelConfigs {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw new InvalidRequest("Field 'models' must be an object.");
  rejectUnknownKeys(value, MODEL_NAMES, " in models");
  const models: ModelConfigs = {};
  for (const name of MODEL_NAMES) {
    const raw = value[name];
    if (raw === undefined || raw === null) continue;
    if (!isPlainObject(raw)) throw new InvalidRequest(`Field 'models.${name}' must be an object.`);
    if (name === "face") models.face = parseFace(raw);
    else if (name === "language") models.language = parseLanguage(raw);
    // burst, prosody and facemesh take no streaming configuration; their options are ignored (spec §2.3).
    else models[name] = {};
  }
  return models;
}

/** Validates an already-parsed JSON value. */
export function validateRequest(value: unknown): ParseResult {
  if (!isPlainObject(value)) {
    return { ok: false, code: ErrorCode.InvalidRequest, message: "The request must be a JSON object." };
  }
  const payloadId = typeof value.payload_id === "string" ? value.payload_id : undefined;
  try {
    rejectUnknownKeys(value, TOP_LEVEL_KEYS, "");
    if (value.payload_id !== undefined && value.payload_id !== null && typeof value.payload_id !== "string") {
      throw new InvalidRequest("Field 'payload_id' must be a string.");
    }
    if (value.data !== undefined && value.data !== null && typeof value.data !== "string") {
      throw new InvalidRequest("Field 'data' must be a string.");
    }
    const request: StreamRequest = {
      models: parseModels(value.models),
      stream_window_ms: readNumber(value.stream_window_ms, "stream_window_ms", STREAM_WINDOW_MS.min, STREAM_WINDOW_MS.max, STREAM_WINDOW_MS.default),
      reset_stream: readFlag(value.reset_stream, "reset_stream"),
      raw_text: readFlag(value.raw_text, "raw_text"),
      job_details: readFlag(value.job_details, "job_details"),
    };
    if (typeof value.data === "string") request.data = value.data;
    if (payloadId !== undefined) request.payload_id = payloadId;
    if (request.data !== undefined && Object.keys(request.models).length === 0) {
      throw new InvalidRequest("The payload has 'data' but 'models' names no model; add at least one of burst, face, facemesh, language, prosody.");
    }
    return { ok: true, request };
  } catch (error) {
    if (!(error instanceof InvalidRequest)) throw error;
    const failure: ParseResult = { ok: false, code: ErrorCode.InvalidRequest, message: error.message };
    if (payloadId !== undefined) failure.payload_id = payloadId;
    return failure;
  }
}

/** Parses one text frame. */
/** Deepest nesting of objects and arrays a request may have; real ones need 4 (models.face.facs). */
export const MAX_REQUEST_DEPTH = 32;

export function parseRequest(frame: string): ParseResult {
  if (nestsDeeperThan(frame, MAX_REQUEST_DEPTH)) {
    const failure: ParseResult = {
      ok: false,
      code: ErrorCode.InvalidRequest,
      message: `The request nests objects and arrays more than ${MAX_REQUEST_DEPTH} levels deep.`,
    };
    const payloadId = topLevelPayloadId(frame);
    if (payloadId !== undefined) failure.payload_id = payloadId;
    return failure;
  }
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return { ok: false, code: ErrorCode.InvalidJson, message: "The WebSocket message could not be parsed as valid JSON." };
  }
  return validateRequest(value);
}

/** The E0102 message, in the exact form verified against the live API (spec §3.2). */
export function modelMediaMismatchMessage(model: ModelName, mediaKind: string): string {
  return `Streaming payload configured with model type '${model}', which is not supported for the detected file type '${mediaKind}'.`;
}
