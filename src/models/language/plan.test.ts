import assert from "node:assert/strict";
import { test } from "node:test";
import type { TokenizationConfig } from "./config.js";
import type { LanguageKernelInput } from "./kernel-types.js";
import { combine, EMOTION_COUNT, Planner, SENTIMENT_COUNT, TOXICITY_COUNT, type Plan, type RowScores, type Sequence } from "./plan.js";
import { SentencePieceTokenizer } from "./tokenizer.js";
import { loadVocabulary } from "./vocab.js";

const vocabulary = loadVocabulary();
const tokenizer = new SentencePieceTokenizer(vocabulary);
const BASE: TokenizationConfig = { idOffset: 0, padId: 0, unkId: 0, bosId: null, eosId: null, maxTokens: 128, reserved: 6 };

function planner(overrides: Partial<TokenizationConfig> = {}): Planner {
  return new Planner(tokenizer, vocabulary, { ...BASE, ...overrides });
}

function input(text: string, granularity: LanguageKernelInput["granularity"]): LanguageKernelInput {
  return { text, granularity, sentiment: true, toxicity: true };
}

function checkBounds(plan: Plan, maxTokens: number): void {
  for (const sequence of plan.sequences) {
    assert.ok(sequence.ids.length > 0 && sequence.ids.length <= maxTokens, `sequence of ${sequence.ids.length}`);
    assert.ok(sequence.rows.length > 0);
    for (const [start, end] of sequence.rows) assert.ok(start >= 0 && start < end && end <= sequence.ids.length);
  }
}

test("word granularity: one sequence per sentence, one row per word, rows on the word's own pieces", () => {
  const text = "I love this movie. It is great!";
  const plan = planner().plan([input(text, "word")]);
  checkBounds(plan, 128);
  assert.equal(plan.sequences.length, 2);
  assert.deepEqual(plan.sequences[0]?.ids, tokenizer.encode("I love this movie."));
  assert.deepEqual(plan.sequences[1]?.ids, tokenizer.encode("It is great!"));
  const item = plan.items[0];
  assert.ok(item !== undefined);
  assert.deepEqual(item.units.map((u) => u.text), ["I", "love", "this", "movie", "It", "is", "great"]);
  assert.deepEqual(item.parts.map((p) => p.map((x) => x.sequence)), [[0], [0], [0], [0], [1], [1], [1]]);
  // Each row's pieces spell the word (the leading U+2581 aside), and punctuation pieces are left out.
  item.parts.forEach((parts, k) => {
    const part = parts[0];
    assert.ok(part !== undefined);
    const sequence = plan.sequences[part.sequence];
    assert.ok(sequence !== undefined);
    const [start, end] = sequence.rows[part.row] as [number, number];
    const spelled = sequence.ids.slice(start, end).map((id) => vocabulary[id]?.[0] ?? "").join("").replace(/\u2581/g, "");
    assert.equal(spelled, item.units[k]?.text);
  });
});

test("sentence, turn and passage units are one row over all their tokens", () => {
  const text = "Thanks a lot. See you!\nBye";
  for (const [granularity, count] of [["sentence", 3], ["utterance", 3], ["conversational_turn", 2], ["passage", 1]] as const) {
    const plan = planner().plan([input(text, granularity)]);
    checkBounds(plan, 128);
    assert.equal(plan.sequences.length, count, granularity);
    plan.items[0]?.units.forEach((unit, u) => {
      const sequence = plan.sequences[u];
      assert.deepEqual(sequence?.ids, tokenizer.encode(unit.text));
      assert.deepEqual(sequence?.rows, [[0, sequence?.ids.length]]);
    });
  }
});

test("a unit longer than max_tokens is cut into sentences and chunks weighted by their token counts", () => {
  const text = "This sentence is fine. This one is a much longer sentence that will need to be cut into several chunks.";
  const plan = planner({ maxTokens: 8 }).plan([input(text, "passage")]);
  checkBounds(plan, 8);
  const parts = plan.items[0]?.parts[0] ?? [];
  assert.ok(parts.length >= 3);
  const total = parts.reduce((sum, p) => sum + p.weight, 0);
  const expected = tokenizer.encode("This sentence is fine.").length + tokenizer.encode("This one is a much longer sentence that will need to be cut into several chunks.").length;
  assert.equal(total, expected);
  // Cuts fall before word starts: every chunk after the first begins with a U+2581 piece.
  for (const part of parts.slice(1)) {
    const first = plan.sequences[part.sequence]?.ids[0] as number;
    assert.ok(vocabulary[first]?.[0].startsWith("\u2581"));
  }
});

test("words of an overlong sentence land in chunks of at most max_tokens", () => {
  const text = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ") + ".";
  const plan = planner({ maxTokens: 10 }).plan([input(text, "word")]);
  checkBounds(plan, 10);
  assert.equal(plan.items[0]?.units.length, 30);
  assert.ok(plan.sequences.length > 1);
  assert.equal(plan.sequences.reduce((sum, s) => sum + s.rows.length, 0), 30);
});

test("special tokens and id offsets from the config are applied, rows shifted past BOS", () => {
  const plan = planner({ bosId: 8000, eosId: 8001, idOffset: 2, unkId: 1 }).plan([input("Hi 😀", "passage")]);
  const raw = tokenizer.encode("Hi 😀");
  const sequence = plan.sequences[0];
  assert.ok(sequence !== undefined);
  assert.deepEqual(sequence.ids, [8000, ...raw.map((id) => (id === 0 ? 1 : id + 2)), 8001]);
  assert.deepEqual(sequence.rows, [[1, 1 + raw.length]]);
});

test("text without words plans nothing", () => {
  const plan = planner().plan([input("  ... ", "word"), input("", "passage")]);
  assert.equal(plan.sequences.length, 0);
  assert.deepEqual(plan.items.map((i) => i.units.length), [0, 0]);
  assert.deepEqual(combine(plan, []).map((o) => o.segments.length), [0, 0]);
});

test("combine: weighted mean of emotions and sentiment, maximum of toxicity, outputs only when asked", () => {
  const plan: Plan = {
    sequences: [
      { ids: [1, 2, 3], rows: [[0, 3]] },
      { ids: [4], rows: [[0, 1]] },
    ],
    items: [
      {
        input: { text: "x", granularity: "passage", sentiment: true, toxicity: false },
        units: [{ text: "x", begin: 0, end: 1 }],
        parts: [[{ sequence: 0, row: 0, weight: 3 }, { sequence: 1, row: 0, weight: 1 }]],
      },
    ],
  };
  const row = (e: number, s: number, t: number): RowScores => ({
    emotions: new Float32Array(EMOTION_COUNT).fill(e),
    sentiment: new Float32Array(SENTIMENT_COUNT).fill(s),
    toxicity: new Float32Array(TOXICITY_COUNT).fill(t),
  });
  const [out] = combine(plan, [row(0.2, 0.1, 0.3), row(0.6, 0.5, 0.1)]);
  assert.ok(out !== undefined);
  assert.ok(Math.abs((out.emotions[0] as number) - 0.3) < 1e-6);
  assert.ok(Math.abs((out.sentiment?.[0] as number) - 0.2) < 1e-6);
  assert.equal(out.toxicity, undefined);
  plan.items[0]!.input.toxicity = true;
  const [withToxicity] = combine(plan, [row(0.2, 0.1, 0.3), row(0.6, 0.5, 0.1)]);
  assert.ok(Math.abs((withToxicity?.toxicity?.[0] as number) - 0.3) < 1e-6);
});

test("a bare U+2581 piece before an unknown symbol joins that word's row", () => {
  const text = "so funny 😂";
  const plan = planner().plan([input(text, "word")]);
  const ids = tokenizer.encode(text);
  const separator = vocabulary.findIndex(([piece]) => piece === "\u2581");
  assert.deepEqual(ids.slice(-2), [separator, 0]);
  const last = plan.items[0]?.parts[2]?.[0];
  assert.ok(last !== undefined);
  assert.equal(plan.items[0]?.units[2]?.text, "😂");
  assert.deepEqual(plan.sequences[last.sequence]?.rows[last.row], [ids.length - 2, ids.length]);
});

test("word granularity: only chunks holding a word's first piece run, so an overlong word's tail costs nothing", () => {
  // "x" × 2000 is 2000 pieces; U+FDFA × 100 normalizes to 400 words' worth of pieces inside one raw word.
  for (const giant of ["x".repeat(2000), "\uFDFA".repeat(100)]) {
    const text = `Fine. ${giant} ok`;
    const plan = planner().plan([input(text, "word")]);
    checkBounds(plan, 128);
    const item = plan.items[0];
    assert.ok(item !== undefined);
    assert.deepEqual(item.units.map((u) => u.text), ["Fine", giant, "ok"]);
    const ids = tokenizer.encode(`${giant} ok`);
    assert.ok(ids.length > 3 * 128, `${ids.length} pieces`);
    // "Fine.", the first chunk of the giant sentence, and the chunk holding "ok": nothing in between.
    assert.equal(plan.sequences.length, 3);
    assert.deepEqual(item.parts.map((p) => p.map((x) => [x.sequence, x.row])), [[[0, 0]], [[1, 0]], [[2, 0]]]);
    const head = plan.sequences[1] as Sequence;
    const tail = plan.sequences[2] as Sequence;
    assert.deepEqual(head.ids, ids.slice(0, head.ids.length));
    assert.deepEqual(head.rows, [[0, head.ids.length]]);
    assert.deepEqual(tail.ids, ids.slice(ids.length - tail.ids.length));
    const [start, end] = tail.rows[0] as [number, number];
    assert.equal(tail.ids.slice(start, end).map((id) => vocabulary[id]?.[0] ?? "").join("").replace(/\u2581/g, ""), "ok");
    // combine reads each word from its own sequence.
    const scores = plan.sequences.map((_, i): RowScores => ({
      emotions: new Float32Array(EMOTION_COUNT).fill(i + 1),
      sentiment: new Float32Array(SENTIMENT_COUNT).fill(i + 1),
      toxicity: new Float32Array(TOXICITY_COUNT).fill(i + 1),
    }));
    const [out] = combine(plan, scores);
    assert.deepEqual([0, 1, 2].map((u) => out?.emotions[u * EMOTION_COUNT]), [1, 2, 3]);
  }
});
