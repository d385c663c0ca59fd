// models/facemesh/config.json, written by training/facemesh/train.py: the landmark classifier's file, its
// classes and inputs, and the training faces' median height-to-eye-width ratio (./features.ts). The face
// signals' calibration and the blendshape network are the face model's (models/face/config.json).

import { existsSync, readFileSync } from "node:fs";
import { modelDirectory } from "../../runtime/paths.js";
import { FERPLUS_CLASSES } from "../face/formulas.js";
import { FEATURE_COUNT } from "./features.js";

export interface FacemeshModelConfig {
  classifierPath: string;
  /** The training faces' median forehead-to-chin over eye-corner distance. */
  heightToEyeWidth: number;
}

interface RawConfig {
  format_version: number;
  classifier: { file: string; classes: string[]; features: number };
  normalised_input: { height_to_eye_width: number };
}

export const CONFIG_PATH = (): string => `${modelDirectory("facemesh")}config.json`;

export function facemeshConfigured(): boolean {
  return existsSync(CONFIG_PATH());
}

export function readFacemeshConfig(path = CONFIG_PATH()): FacemeshModelConfig {
  const raw = JSON.parse(readFileSync(path, "utf8")) as RawConfig;
  if (raw.classifier.classes.join(",") !== FERPLUS_CLASSES.join(",")) throw new Error(`${path}: classes ${raw.classifier.classes.join(",")} are not ${FERPLUS_CLASSES.join(",")}`);
  if (raw.classifier.features !== FEATURE_COUNT) throw new Error(`${path}: the classifier reads ${raw.classifier.features} features, the front end gives ${FEATURE_COUNT}; retrain it`);
  return { classifierPath: `${modelDirectory("facemesh")}${raw.classifier.file}`, heightToEyeWidth: raw.normalised_input.height_to_eye_width };
}
