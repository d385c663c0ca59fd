// models/prosody/config.json, written by training/prosody/train.py --export: the classifier file, its
// classes and the feature names it was trained on (checked against the front end's at load), and the
// corpora's global feature statistics that normalise a stream until its own statistics take over.

import { existsSync, readFileSync } from "node:fs";
import { modelDirectory } from "../../runtime/paths.js";
import { FEATURE_NAMES } from "../audio-features/index.js";
import { PROSODY_CLASSES } from "./expressions.js";
import type { Normalisation } from "./statistics.js";

export interface ProsodyModelConfig {
  classifierPath: string;
  prior: Normalisation;
  /** How many segments the prior is worth against a stream's own statistics. */
  priorSegments: number;
}

interface RawConfig {
  format_version: number;
  classifier: { file: string; classes: string[]; features: string[] };
  normalisation: { mean: number[]; sd: number[]; prior_segments: number };
}

export const CONFIG_PATH = (): string => `${modelDirectory("prosody")}config.json`;

export function prosodyInstalled(): boolean {
  return existsSync(CONFIG_PATH());
}

export function readProsodyConfig(path = CONFIG_PATH()): ProsodyModelConfig {
  const raw = JSON.parse(readFileSync(path, "utf8")) as RawConfig;
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(raw.classifier.classes, PROSODY_CLASSES)) throw new Error(`${path}: classes ${raw.classifier.classes.join(",")} are not ${PROSODY_CLASSES.join(",")}`);
  if (!same(raw.classifier.features, FEATURE_NAMES)) throw new Error(`${path}: the classifier was trained on other features than the front end computes; retrain it`);
  const { mean, sd, prior_segments } = raw.normalisation;
  if (mean.length !== FEATURE_NAMES.length || sd.length !== FEATURE_NAMES.length) throw new Error(`${path}: normalisation has the wrong length`);
  return {
    classifierPath: `${modelDirectory("prosody")}${raw.classifier.file}`,
    prior: { mean: Float32Array.from(mean), sd: Float32Array.from(sd) },
    priorSegments: prior_segments,
  };
}
