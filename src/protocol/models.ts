// The spec's model table, once: which media each model reads (spec §2.6; anything else is E0102) and
// the nested warning it answers when it finds nothing (spec §3.3, §4). Models, test doubles and the
// fuzz stubs all derive from it.

import { WarningCode } from "./codes.js";
import type { MediaKind, ModelName, NestedWarning } from "./types.js";

export interface ModelSpec {
  readonly accepts: readonly MediaKind[];
  /** The reply when the model finds nothing in the payload, e.g. {"warning": "No faces detected.", "code": "W0103"}. */
  readonly noDetection: Readonly<NestedWarning>;
}

export const MODEL_SPECS: Readonly<Record<ModelName, ModelSpec>> = {
  burst: { accepts: ["audio", "video"], noDetection: { warning: "No vocal bursts detected.", code: WarningCode.NoBursts } },
  face: { accepts: ["image", "video"], noDetection: { warning: "No faces detected.", code: WarningCode.NoFaces } },
  facemesh: { accepts: ["facemesh"], noDetection: { warning: "No facemeshes detected.", code: WarningCode.NoFacemeshes } },
  language: { accepts: ["text"], noDetection: { warning: "No emotional language detected.", code: WarningCode.NoLanguage } },
  prosody: { accepts: ["audio", "video"], noDetection: { warning: "No speech detected.", code: WarningCode.NoSpeech } },
};

/** A fresh copy of the model's no-detection warning (replies are objects the caller may extend). */
export function noDetection(model: ModelName): NestedWarning {
  return { ...MODEL_SPECS[model].noDetection };
}
