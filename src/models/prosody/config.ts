// models/prosody/config.json, written by training/prosody/train.py --export: the classifier file, its
// classes, the feature names and frame width it was trained on (checked against the front end's at
// load), and the corpora's global statistics that normalise a stream until its own take over.

import { existsSync, readFileSync } from "node:fs";
import { modelDirectory } from "../../runtime/paths.js";
import { FEATURE_NAMES, FRAME_DESCRIPTORS } from "../audio-features/index.js";
import { PROSODY_CLASSES } from "./expressions.js";
import type { SpeakerPrior } from "./statistics.js";

export interface ProsodyModelConfig {
  classifierPath: string;
  /** The corpora's statistics and how many segments and frames they are worth against a stream's own. */
  prior: SpeakerPrior;
}

interface RawConfig {
  format_version: number;
  classifier: { file: string; classes: string[]; features: string[]; frame_descriptors: number };
  normalisation: {
    mean: number[];
    sd: number[];
    prior_segments: number;
    frames: { mean: number[]; sd: number[]; prior_frames: number; prior_voiced_frames: number };
  };
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
  if (raw.classifier.frame_descriptors !== FRAME_DESCRIPTORS) throw new Error(`${path}: the classifier reads ${raw.classifier.frame_descriptors} values per frame, the front end computes ${FRAME_DESCRIPTORS}; retrain it`);
  const { mean, sd, prior_segments, frames } = raw.normalisation;
  if (mean.length !== FEATURE_NAMES.length || sd.length !== FEATURE_NAMES.length) throw new Error(`${path}: normalisation has the wrong length`);
  if (frames.mean.length !== FRAME_DESCRIPTORS || frames.sd.length !== FRAME_DESCRIPTORS) throw new Error(`${path}: frame normalisation has the wrong length`);
  return {
    classifierPath: `${modelDirectory("prosody")}${raw.classifier.file}`,
    prior: {
      features: { mean: Float32Array.from(mean), sd: Float32Array.from(sd) },
      frames: { mean: Float32Array.from(frames.mean), sd: Float32Array.from(frames.sd) },
      segments: prior_segments,
      frameCount: frames.prior_frames,
      voicedFrameCount: frames.prior_voiced_frames,
    },
  };
}
