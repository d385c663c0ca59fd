import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LANGUAGE_EMOTION_LABELS } from "../labels.js";
import { labelScores, LabelScore } from "./scores.js";
import { SCORE_DIGITS, scoreText, serializeReply } from "./serialize.js";

/** The value with every score replaced by 0. */
function withoutScores(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, item: unknown) => (key === "score" ? 0 : item));
}

function assertClose(actual: number, expected: number, relative: number, message: string): void {
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${message}: ${actual} vs ${expected}`);
}

describe("serializeReply", () => {
  it("writes prediction replies as JSON.stringify does, with scores at 6 significant digits", () => {
    const predictions = Array.from({ length: 21 }, (_, i) => ({
      text: `wörd "${i}" 😀\n`,
      position: { begin: i, end: i + 1 },
      emotions: LANGUAGE_EMOTION_LABELS.map((name, k) => ({ name, score: Math.fround(Math.sin(i * 53 + k) ** 2) })),
    }));
    const reply = { payload_id: "p\u2028", job_details: { job_id: "j" }, language: { predictions } };
    const text = serializeReply(reply).toString("utf8");
    assert.ok(text.length < 0.8 * JSON.stringify(reply).length, "shorter than the 17-digit text");
    // The same text but for the digits of the scores; each score within rounding of toPrecision(6).
    const parsed = JSON.parse(text) as typeof reply;
    assert.equal(JSON.stringify(withoutScores(parsed)), JSON.stringify(withoutScores(reply)));
    parsed.language.predictions.forEach((prediction, i) =>
      prediction.emotions.forEach((score, k) => assertClose(score.score, predictions[i]!.emotions[k]!.score, 5.01e-6, score.name)),
    );
  });

  it("writes a score with 6 significant digits, trailing zeros dropped", () => {
    const cases: [number, string][] = [
      [0.5, "0.5"],
      [0.30928140878677368, "0.309281"],
      [0.004726930428296328, "0.00472693"],
      [0.09999999977648258, "0.1"],
      [0.9999996, "1"],
      [1.234567e-5, "0.0000123457"],
      [1.234567e-12, "1.23457e-12"],
      [0, "0"],
      [1, "1"],
      [-0.25, "-0.25"],
      [NaN, "null"],
    ];
    for (const [value, text] of cases) assert.equal(scoreText(value), text, String(value));
    let seed = 7;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 16807) % 2147483647;
      const value = Math.fround(Math.exp((-seed / 2147483647) * 30));
      const text = scoreText(value);
      assert.match(text, /^(0\.\d+|1|\d(\.\d+)?e-\d+)$/);
      assertClose(Number(text), value, 5.01e-6, text);
      assertClose(Number(text), Number(value.toPrecision(SCORE_DIGITS)), 1.01e-6, text);
    }
    // Over float32's whole range below 1, and its edges, the text is String(Number(toPrecision(6))).
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 16807) % 2147483647;
      const value = Math.fround(Math.exp((-seed / 2147483647) * 104));
      assert.equal(scoreText(value), String(Number(value.toPrecision(SCORE_DIGITS))), String(value));
    }
    for (const value of [1.4e-45, 1e-45, 3.4e-38, 9.9999996e-7, 1e-6, 1.5e-7, 1e-10, 0.99999996]) {
      assert.equal(scoreText(value), String(Number(value.toPrecision(SCORE_DIGITS))), String(value));
    }
  });

  it("writes LabelScore lists (the models' fast path) exactly as the same plain { name, score } lists", () => {
    const values = Float32Array.from({ length: 3 * LANGUAGE_EMOTION_LABELS.length }, (_, i) => Math.fround(Math.cos(i) ** 2));
    const rows = [0, 1, 2].map((row) => labelScores(LANGUAGE_EMOTION_LABELS, values, row));
    const plain = rows.map((scores) => scores.map(({ name, score }) => ({ name, score })));
    assert.equal(rows[2]![5]!.score, values[2 * LANGUAGE_EMOTION_LABELS.length + 5]);
    assert.equal(JSON.stringify(rows), JSON.stringify(plain), "JSON.stringify sees only name and score");
    assert.equal(serializeReply({ rows }).toString("utf8"), serializeReply({ rows: plain }).toString("utf8"));
    // Mixed with plain items, and a name outside the cached labels, both still match.
    const mixed = [new LabelScore("ünseen", 0.25), { name: "plain", score: 0.5 }, new LabelScore("x", 1e-9)];
    assert.equal(serializeReply({ mixed }).toString("utf8"), JSON.stringify({ mixed }));
  });

  it("matches JSON.stringify on the edge cases of plain JSON data (no scores of more than 6 digits)", () => {
    const cases: object[] = [
      { error: "bad", code: "E0100" },
      { a: undefined, b: () => 1, c: [undefined, () => 1, NaN, Infinity, -0, null], d: true, e: false },
      { scores: [{ score: 0.5, name: "reversed key order" }] },
      { scores: [{ name: "extra key", score: 1, more: 2 }] },
      { scores: [{ name: "mixed", score: 1 }, { name: 1, score: "x" }, "string"] },
      { scores: [{ name: "not finite", score: NaN }, { name: "ok", score: 1e-7 }] },
      { nested: { empty: [], obj: {}, date: new Date(0) } },
      { gone: { toJSON: () => undefined }, list: [{ toJSON: () => undefined }, { toJSON: (key: string) => `at ${key}` }], kept: 1 },
      { language: { warning: "No emotional language detected.", code: "W0104" } },
      { text: "😀é\u0000\"".repeat(20_000), after: [1, 2] }, // larger than the first buffer, multi-byte
      // integers take a digit writer, short ASCII strings a byte loop; both fall back to String()/Buffer#write
      { begin: 0, end: -0, n: [7, 10, 99, 100, 2147483647, 2147483648, -3, 1.5, 1e21, 123456789012, Number.MAX_SAFE_INTEGER] },
      { ascii: "a".repeat(64), longer: "b".repeat(65), late: `${"c".repeat(63)}é`, first: "é", empty: "" },
      { 'k"ey': 1, ключ: 2, "\u007f": 3, nested: [{ 'k"ey': 4, ключ: "ß" }] },
      // scores in exponent notation take the slow path; thousands of them cross every buffer growth
      { scores: Array.from({ length: 3000 }, (_, i) => ({ name: `n${i % 7}`, score: i % 3 === 0 ? 1.5e-7 : i % 3 === 1 ? 0.25 : 0 })) },
    ];
    for (const value of cases) assert.equal(serializeReply(value).toString("utf8"), JSON.stringify(value));
  });
});
