import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { PACKAGE_ROOT } from "../../runtime/paths.js";
import { GloveVocabulary, textTokens } from "./glove.js";
import { SentencePieceTokenizer } from "./tokenizer.js";
import { loadVocabulary } from "./vocab.js";

const pieces = loadVocabulary();
const tokenizer = new SentencePieceTokenizer(pieces);
const ROWS = { padding: 0, unknown: 1, firstWord: 2 };

test("text tokens: ASCII lowercase, clitics and n't split off, inner dots and hyphens kept, any other character alone", () => {
  assert.deepEqual(textTokens("I Can't believe it\u2019s U.S.-made!"), ["i", "ca", "n't", "believe", "it", "'s", "u.s", ".", "-", "made", "!"]);
  assert.deepEqual(textTokens("caf\u00e9 \u{1F621}"), ["caf", "\u00e9", "\u{1F621}"]);
  assert.deepEqual(textTokens(""), []);
});

test("each piece belongs to its whitespace word and each word's tokens carry its index", () => {
  const vocab = new GloveVocabulary(["i", "do", "n't", "know"], pieces, ROWS);
  const ids = tokenizer.encode("I don't KNOW him");
  const { ids: rows, tokenWords, pieceWords } = vocab.inputs(ids);
  assert.deepEqual(rows, [2, 3, 4, 5, 1]);
  assert.deepEqual(tokenWords, [0, 1, 1, 2, 3]);
  assert.deepEqual(pieceWords, [0, 1, 1, 1, 2, 2, 2, 3]); // "▁I", "▁don", "'", "t", "▁K", "N", "OW", "▁him"
});

test("an unknown piece is one unknown token inside its word", () => {
  const vocab = new GloveVocabulary(["so", "mad"], pieces, ROWS);
  const ids = tokenizer.encode("so \u{1F621}mad");
  assert.ok(ids.includes(0), "the emoji is an unknown piece");
  assert.deepEqual(vocab.inputs(ids), { ids: [2, 1, 3], tokenWords: [0, 1, 1], pieceWords: [0, 1, 1, 1, 1] });
});

test("matches the training side (training/language/glove_member.py) on the committed fixture", () => {
  const fixture = JSON.parse(readFileSync(`${PACKAGE_ROOT}training/language/fixtures/glove_parity.json`, "utf8")) as {
    words: string[];
    cases: Array<{ text: string; ids: number[]; glove_ids: number[]; glove_word: number[]; piece_word: number[] }>;
  };
  const vocab = new GloveVocabulary(fixture.words, pieces, ROWS);
  assert.ok(fixture.cases.length > 100);
  for (const c of fixture.cases) {
    assert.deepEqual(tokenizer.encode(c.text), c.ids, JSON.stringify(c.text));
    assert.deepEqual(vocab.inputs(c.ids), { ids: c.glove_ids, tokenWords: c.glove_word, pieceWords: c.piece_word }, JSON.stringify(c.text));
  }
});
