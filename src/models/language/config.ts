// The trained model's config.json (models/language/config.json, written by training/language/train.py):
// the tokenizer fields the server runs with, checked, plus the whole file for the evaluation. Every key
// at the levels read here must be known: a renamed or misspelt key fails the load, where it used to
// leave a default in its place unnoticed (this loader once looked for `reserved`, the file says
// `reserved_ids`).

import { readFileSync } from "node:fs";
import { modelDirectory } from "../../runtime/paths.js";
import type { GloveRows } from "./glove.js";

export const MODEL_FILE = "language.onnx";
export const CONFIG_FILE = "config.json";
/** The config.json layout this loader reads. */
const FORMAT_VERSION = 1;

/** Top-level keys, by who reads them. */
const TOP_LEVEL_KEYS = new Set([
  // here
  "format_version", "model_file", "vocab", "max_tokens", "glove",
  // the evaluation, from `raw` (eval/readout.ts, eval/language.ts)
  "goemotions", "sst5_fold", "sst_detokenize", "jigsaw",
  // nobody: the graph's contract in words (kernel.ts checks the graph's own input and output names),
  // the output label orders (src/protocol/labels.ts holds the served ones), how the training derived
  // labels without data, the training's settings, and its dev metrics
  "inputs", "outputs", "labels", "derived", "training", "metrics_dev",
]);

/** Keys of `vocab`, by who reads them. */
const VOCAB_KEYS = new Set([
  // here
  "id_offset", "unk_id", "pad_id", "bos_id", "eos_id", "reserved_ids",
  // nobody: the vocabulary's source (vocab.ts resolves the same file through the installed package) and
  // the algorithm in words (tokenizer.ts implements it: normalization, Viterbi, the word-start prefix)
  "file", "package", "normalization", "algorithm", "word_start_prefix",
]);

/** Keys of `glove` (present when the graph has a GloVe member: glove.ts), by who reads them. */
const GLOVE_KEYS = new Set([
  // here
  "vocab_file", "rows",
  // nobody: the token rule in words (glove.ts implements it) and where the vectors come from
  "token_pattern", "source",
]);
const GLOVE_ROW_KEYS = new Set(["padding", "unknown", "first_word"]);

export interface GloveConfig {
  /** The member's vocabulary, a file beside config.json. */
  vocabFile: string;
  rows: GloveRows;
}

export interface TokenizationConfig {
  /** Added to every tokenizer id before it enters the graph. */
  idOffset: number;
  /** Graph id of padding positions. */
  padId: number;
  /** Graph id of the tokenizer's <unk> (tokenizer id 0), before the offset is applied to other ids. */
  unkId: number;
  /** Graph id prepended to every sequence, or null. */
  bosId: number | null;
  /** Graph id appended to every sequence, or null. */
  eosId: number | null;
  /** Longest sequence the graph takes, special tokens included. */
  maxTokens: number;
  /** How many leading SentencePiece pieces (ids 0..reserved-1) the tokenizer never matches. */
  reserved: number;
}

export interface LanguageModelConfig {
  tokenization: TokenizationConfig;
  /** The GloVe member's inputs, or null when the graph has none. */
  glove: GloveConfig | null;
  /** The whole parsed config.json, for evaluation settings (mappings, thresholds, folds). */
  raw: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads one section's fields, each required and typed; `where` prefixes key names in messages. */
class Section {
  constructor(
    private readonly values: Record<string, unknown>,
    private readonly file: string,
    private readonly where: string,
    known: ReadonlySet<string>,
  ) {
    for (const key of Object.keys(values)) {
      if (!known.has(key)) throw this.error(key, `is not a known key (known: ${[...known].join(", ")})`);
    }
  }

  error(key: string, problem: string): Error {
    return new Error(`${this.file}: "${this.where}${key}" ${problem}`);
  }

  value(key: string): unknown {
    if (!Object.hasOwn(this.values, key)) throw this.error(key, "is missing");
    return this.values[key];
  }

  /** An integer no smaller than `min`. */
  integer(key: string, min = 0): number {
    const value = this.value(key);
    if (!Number.isInteger(value) || (value as number) < min) throw this.error(key, `must be an integer >= ${min}, not ${JSON.stringify(value)}`);
    return value as number;
  }

  integerOrNull(key: string): number | null {
    return this.value(key) === null ? null : this.integer(key);
  }

  /** A non-empty string. */
  string(key: string): string {
    const value = this.value(key);
    if (typeof value !== "string" || value === "") throw this.error(key, `must be a non-empty string, not ${JSON.stringify(value)}`);
    return value;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.values, key);
  }

  section(key: string, known: ReadonlySet<string>): Section {
    const value = this.value(key);
    if (!isRecord(value)) throw this.error(key, "must be an object");
    return new Section(value, this.file, `${this.where}${key}.`, known);
  }
}

/**
 * The tokenizer reserves a leading run of pieces (it skips ids below a count, as the reference does), so
 * `reserved_ids` must be 0..n-1; its length is that count.
 */
function reservedCount(vocab: Section): number {
  const ids = vocab.value("reserved_ids");
  if (!Array.isArray(ids) || ids.some((id, i) => id !== i)) {
    throw vocab.error("reserved_ids", `must list the ids 0, 1, ..., n-1 in order, not ${JSON.stringify(ids)}`);
  }
  return ids.length;
}

/** Checks config.json's keys and reads the tokenizer fields; `file` names the source in error messages. */
export function parseConfig(raw: unknown, file = CONFIG_FILE): LanguageModelConfig {
  if (!isRecord(raw)) throw new Error(`${file}: must hold a JSON object`);
  const top = new Section(raw, file, "", TOP_LEVEL_KEYS);
  const version = top.integer("format_version");
  if (version !== FORMAT_VERSION) throw top.error("format_version", `is ${version}; this server reads ${FORMAT_VERSION}`);
  if (top.value("model_file") !== MODEL_FILE) throw top.error("model_file", `must be "${MODEL_FILE}" (the file the server loads)`);
  const maxTokens = top.integer("max_tokens", 4);
  const vocab = top.section("vocab", VOCAB_KEYS);
  const tokenization: TokenizationConfig = {
    idOffset: vocab.integer("id_offset"),
    padId: vocab.integer("pad_id"),
    unkId: vocab.integer("unk_id"),
    bosId: vocab.integerOrNull("bos_id"),
    eosId: vocab.integerOrNull("eos_id"),
    maxTokens,
    reserved: reservedCount(vocab),
  };
  return { tokenization, glove: top.has("glove") ? gloveConfig(top.section("glove", GLOVE_KEYS)) : null, raw };
}

function gloveConfig(glove: Section): GloveConfig {
  const vocabFile = glove.string("vocab_file");
  if (vocabFile.includes("/") || vocabFile.includes("\\")) throw glove.error("vocab_file", "must name a file beside config.json");
  const rows = glove.section("rows", GLOVE_ROW_KEYS);
  return { vocabFile, rows: { padding: rows.integer("padding"), unknown: rows.integer("unknown"), firstWord: rows.integer("first_word") } };
}

export function loadConfig(directory = modelDirectory("language")): LanguageModelConfig {
  const file = `${directory}${CONFIG_FILE}`;
  return parseConfig(JSON.parse(readFileSync(file, "utf8")), file);
}
