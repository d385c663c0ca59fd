// Client-side model configuration: accepts Hume-style (camelCase) or wire-style (snake_case) objects
// and always produces snake_case for the wire (spec §2.1–§2.3).

import type { LanguageGranularity } from "../protocol/index.js";

/** Face options; both Hume SDK spellings (`identifyFaces`) and wire spellings (`identify_faces`) are accepted. */
export interface FaceOptions {
  facs?: Record<string, unknown> | null;
  descriptions?: Record<string, unknown> | null;
  identifyFaces?: boolean;
  identify_faces?: boolean;
  fpsPred?: number;
  fps_pred?: number;
  probThreshold?: number;
  prob_threshold?: number;
  minFaceSize?: number;
  min_face_size?: number;
}

export interface LanguageOptions {
  granularity?: LanguageGranularity | (string & {});
  sentiment?: Record<string, unknown> | null;
  toxicity?: Record<string, unknown> | null;
}

/** What `connect({ config })` and every `send*(…, config)` take; the shape of Hume's `stream.Config`. */
export interface StreamConfig {
  burst?: Record<string, unknown>;
  face?: FaceOptions;
  facemesh?: Record<string, unknown>;
  language?: LanguageOptions;
  prosody?: Record<string, unknown>;
}

/** The snake_case `models` object sent on the wire. */
export type WireModels = Record<string, Record<string, unknown>>;

const FACE_RENAMES: Readonly<Record<string, string>> = {
  identifyFaces: "identify_faces",
  fpsPred: "fps_pred",
  probThreshold: "prob_threshold",
  minFaceSize: "min_face_size",
  saveFaces: "save_faces",
};
const LANGUAGE_RENAMES: Readonly<Record<string, string>> = { identifySpeakers: "identify_speakers" };

function renameKeys(obj: Record<string, unknown>, renames: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    out[renames[key] ?? key] = value;
  }
  return out;
}

/** Converts a StreamConfig into the wire `models` object (camelCase → snake_case; undefined dropped). */
export function toWireModels(config: StreamConfig): WireModels {
  const models: WireModels = {};
  for (const [name, value] of Object.entries(config as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new TypeError(`config.${name} must be an object (use {} for defaults).`);
    }
    const obj = value as Record<string, unknown>;
    if (name === "face") models[name] = renameKeys(obj, FACE_RENAMES);
    else if (name === "language") models[name] = renameKeys(obj, LANGUAGE_RENAMES);
    else models[name] = renameKeys(obj, {});
  }
  return models;
}
