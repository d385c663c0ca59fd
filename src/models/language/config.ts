// The trained model's config.json (models/language/config.json), with the runtime fields checked.

import { readFileSync } from "node:fs";
import { modelDirectory } from "../../runtime/paths.js";

export const MODEL_FILE = "language.onnx";
export const CONFIG_FILE = "config.json";

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
  /** Reserved SentencePiece pieces never matched by the tokenizer. */
  reserved: number;
}

export interface LanguageModelConfig {
  tokenization: TokenizationConfig;
  /** The whole parsed config.json, for evaluation settings (mappings, thresholds, folds). */
  raw: Record<string, unknown>;
}

function numberAt(source: Record<string, unknown>, keys: readonly string[], fallback: number | null): number | null {
  for (const key of keys) {
    const value = source[key];
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (value === null) return null;
  }
  return fallback;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Reads config.json; tokenizer fields sit under "vocab" (CONTRACT.md), or at the top level. */
export function parseConfig(raw: Record<string, unknown>): LanguageModelConfig {
  const tok = { ...raw, ...record(raw.tokenization), ...record(raw.tokenizer), ...record(raw.vocab) };
  const idOffset = numberAt(tok, ["id_offset", "token_offset", "offset"], 0) ?? 0;
  const padId = numberAt(tok, ["pad_id", "pad"], 0) ?? 0;
  const unkId = numberAt(tok, ["unk_id", "unk"], idOffset) ?? idOffset;
  const bosId = numberAt(tok, ["bos_id", "cls_id"], null);
  const eosId = numberAt(tok, ["eos_id", "sep_id"], null);
  const maxTokens = numberAt(tok, ["max_tokens", "max_len", "max_length"], 128) ?? 128;
  const reserved = numberAt(tok, ["reserved", "reserved_symbols"], 6) ?? 6;
  if (maxTokens < 4) throw new Error(`language config: max_tokens ${maxTokens} is too small`);
  return { tokenization: { idOffset, padId, unkId, bosId, eosId, maxTokens, reserved }, raw };
}

export function loadConfig(directory = modelDirectory("language")): LanguageModelConfig {
  const raw: unknown = JSON.parse(readFileSync(`${directory}${CONFIG_FILE}`, "utf8"));
  return parseConfig(record(raw));
}
