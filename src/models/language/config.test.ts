// config.json loading: the shipped file, unknown keys at each level read, and reserved_ids.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { modelDirectory } from "../../runtime/paths.js";
import { CONFIG_FILE, loadConfig, parseConfig } from "./config.js";
import { RESERVED_SYMBOLS } from "./tokenizer.js";

const SHIPPED = JSON.parse(readFileSync(`${modelDirectory("language")}${CONFIG_FILE}`, "utf8")) as Record<string, unknown>;

/** The shipped config with `change` applied to a deep copy. */
function edited(change: (config: { vocab: Record<string, unknown> } & Record<string, unknown>) => void): Record<string, unknown> {
  const config = structuredClone(SHIPPED) as { vocab: Record<string, unknown> } & Record<string, unknown>;
  change(config);
  return config;
}

describe("language config.json", () => {
  const directory = `${mkdtempSync(join(tmpdir(), "moodwire-language-config-"))}/`;
  after(() => rmSync(directory, { recursive: true, force: true }));

  it("the shipped file loads, with the reference tokenizer's settings", () => {
    const { tokenization, raw } = loadConfig();
    assert.deepEqual(tokenization, { idOffset: 0, padId: 0, unkId: 0, bosId: null, eosId: null, maxTokens: 128, reserved: RESERVED_SYMBOLS });
    assert.deepEqual(raw, SHIPPED);
  });

  it("an unknown key fails the load, naming the key and the file, at the top level and in vocab", () => {
    const file = `${directory}${CONFIG_FILE}`;
    writeFileSync(file, JSON.stringify(edited((c) => (c.max_token = 64))));
    assert.throws(() => loadConfig(directory), (error: Error) => error.message.startsWith(`${file}: "max_token" is not a known key`));
    writeFileSync(file, JSON.stringify(edited((c) => (c.vocab.reserved = 6))));
    assert.throws(() => loadConfig(directory), (error: Error) => error.message.startsWith(`${file}: "vocab.reserved" is not a known key`));
  });

  it("reserved_ids reaches the tokenizer config as the count of reserved leading pieces", () => {
    const config = parseConfig(edited((c) => (c.vocab.reserved_ids = [0, 1, 2, 3, 4, 5, 6, 7])));
    assert.equal(config.tokenization.reserved, 8);
    // The tokenizer can only skip ids below a count.
    assert.throws(() => parseConfig(edited((c) => (c.vocab.reserved_ids = [0, 2]))), /"vocab\.reserved_ids" must list the ids 0, 1, \.\.\., n-1/);
  });

  it("a missing or mistyped field read here fails instead of taking a default", () => {
    assert.throws(() => parseConfig(edited((c) => delete c.vocab.reserved_ids)), /^Error: config\.json: "vocab\.reserved_ids" is missing$/);
    assert.throws(() => parseConfig(edited((c) => (c.max_tokens = "128"))), /"max_tokens" must be an integer >= 4/);
    assert.throws(() => parseConfig(edited((c) => (c.vocab.bos_id = -1))), /"vocab\.bos_id" must be an integer >= 0/);
    assert.throws(() => parseConfig(edited((c) => (c.format_version = 2))), /"format_version" is 2; this server reads 1/);
    assert.throws(() => parseConfig(edited((c) => (c.model_file = "other.onnx"))), /"model_file" must be "language\.onnx"/);
  });

  it("a glove section (a graph with a GloVe member) is read and checked; none means no member", () => {
    const glove = { vocab_file: "glove_vocab.txt", rows: { padding: 0, unknown: 1, first_word: 2 }, token_pattern: "...", source: "..." };
    const withGlove = (change: (g: typeof glove & Record<string, unknown>) => void = () => {}): Record<string, unknown> =>
      edited((c) => {
        const g = structuredClone(glove) as typeof glove & Record<string, unknown>;
        change(g);
        c.glove = g;
      });
    assert.equal(parseConfig(edited((c) => delete c.glove)).glove, null);
    assert.deepEqual(parseConfig(withGlove()).glove, { vocabFile: "glove_vocab.txt", rows: { padding: 0, unknown: 1, firstWord: 2 } });
    assert.throws(() => parseConfig(withGlove((g) => (g.vocab_file = "../elsewhere.txt"))), /"glove\.vocab_file" must name a file beside config\.json/);
    assert.throws(() => parseConfig(withGlove((g) => (g.rows.first_word = -2))), /"glove\.rows\.first_word" must be an integer >= 0/);
    assert.throws(() => parseConfig(withGlove((g) => (g.size = 3))), /"glove\.size" is not a known key/);
  });
});
