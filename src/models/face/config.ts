// models/face/config.json: the detector's calibration and thresholds, the alignment template, the
// classifier file, the face mesh's file and its signals' calibration, identity matching. Unknown keys fail the load (a misspelt key must not leave a
// default in its place). The third-party files (the detector) are listed in third-party.json and
// installed under models/vendor/ by scripts/fetch-models.mjs.

import { existsSync, readFileSync } from "node:fs";
import { modelDirectory, vendorDirectory } from "../../runtime/paths.js";
import type { SignalCalibration } from "./action-units.js";
import type { Landmarks } from "./detector.js";

export interface FaceModelConfig {
  detector: {
    /** Relative to models/vendor/. */
    file: string;
    /** Raw YuNet score below which a candidate is dropped before calibration. */
    min_score: number;
    nms_iou: number;
    /** prob = σ(slope · logit(score) + intercept), fitted by training/face/calibrate-detector.mjs. */
    calibration: { slope: number; intercept: number };
  };
  alignment: { size: number; template: Landmarks };
  classifier: { file: string; classes: string[] };
  mesh: {
    /** MediaPipe's FaceLandmarker bundle, relative to models/vendor/. */
    file: string;
    /** Each face signal's raw value at score 0 and 1, fitted by training/face/calibrate-signals.mjs. */
    signal_calibration: SignalCalibration;
  };
  identity: { min_similarity: number; max_identities: number };
}

const SHAPE: Record<keyof FaceModelConfig, readonly string[]> = {
  detector: ["file", "min_score", "nms_iou", "calibration"],
  alignment: ["size", "template"],
  classifier: ["file", "classes"],
  mesh: ["file", "signal_calibration"],
  identity: ["min_similarity", "max_identities"],
};

export const CONFIG_FILE = "config.json";

export function readFaceConfig(path = `${modelDirectory("face")}${CONFIG_FILE}`): FaceModelConfig {
  const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, Record<string, unknown>>;
  for (const key of Object.keys(raw)) {
    if (key === "format_version" || key === "metrics") continue;
    const known = SHAPE[key as keyof FaceModelConfig];
    if (known === undefined) throw new Error(`${path}: unknown key '${key}'`);
    for (const inner of Object.keys(raw[key]!)) if (!known.includes(inner)) throw new Error(`${path}: unknown key '${key}.${inner}'`);
  }
  for (const key of Object.keys(SHAPE)) if (raw[key] === undefined) throw new Error(`${path}: missing '${key}'`);
  return raw as unknown as FaceModelConfig;
}

/** Paths of the files the face model runs, and whether each is installed. */
export function faceModelFiles(config: FaceModelConfig): { detector: string; classifier: string; mesh: string } {
  return {
    detector: `${vendorDirectory()}${config.detector.file}`,
    classifier: `${modelDirectory("face")}${config.classifier.file}`,
    mesh: `${vendorDirectory()}${config.mesh.file}`,
  };
}

export function missingFaceFiles(): string[] {
  const configPath = `${modelDirectory("face")}${CONFIG_FILE}`;
  if (!existsSync(configPath)) return [configPath];
  return Object.values(faceModelFiles(readFaceConfig(configPath))).filter((path) => !existsSync(path));
}
