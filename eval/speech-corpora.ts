// The acted emotional-speech corpora in MOODWIRE_SHARED data/audio (RAVDESS, EmoDB; READMEs there give
// source and licence), read the same way by the prosody evaluation and the training feature extraction.
// Labels are mapped onto one class set (EmoDB's names onto RAVDESS's; boredom is EmoDB's alone).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ProsodyClass } from "../src/models/prosody/expressions.js";

export type CorpusName = "ravdess" | "emodb";

export interface SpeechClip {
  corpus: CorpusName;
  /** Absolute path of the 16 kHz mono FLAC. */
  path: string;
  /** Unique across corpora, e.g. "ravdess-07". */
  speaker: string;
  emotion: ProsodyClass;
  /** RAVDESS's "strong" takes; EmoDB has none. */
  strong: boolean;
}

const EMODB_CLASSES: Record<string, ProsodyClass> = {
  anger: "angry", boredom: "boredom", disgust: "disgust", fear: "fearful", happiness: "happy", sadness: "sad", neutral: "neutral",
};

function rows(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, "utf8").trim().split("\n");
  const names = header!.split(",");
  // Neither file quotes a field or holds a comma inside one.
  return lines.map((line) => Object.fromEntries(line.split(",").map((value, i) => [names[i]!, value])));
}

export function loadCorpus(sharedDirectory: string, corpus: CorpusName): SpeechClip[] {
  const dir = join(sharedDirectory, "data", "audio", corpus);
  return rows(join(dir, "labels.csv")).map((row): SpeechClip => {
    if (corpus === "ravdess") {
      return { corpus, path: join(dir, row.path!), speaker: `ravdess-${row.actor}`, emotion: row.emotion as ProsodyClass, strong: row.intensity === "strong" };
    }
    const emotion = EMODB_CLASSES[row.emotion!];
    if (emotion === undefined) throw new Error(`EmoDB label '${row.emotion}' is not mapped`);
    return { corpus, path: join(dir, row.path!), speaker: `emodb-${row.speaker}`, emotion, strong: false };
  });
}
