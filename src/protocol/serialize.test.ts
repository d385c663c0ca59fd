import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LANGUAGE_EMOTION_LABELS } from "./labels.js";
import { serializeReply } from "./serialize.js";

describe("serializeReply", () => {
  it("writes exactly what JSON.stringify writes for prediction replies", () => {
    const predictions = Array.from({ length: 21 }, (_, i) => ({
      text: `wörd "${i}" 😀\n`,
      position: { begin: i, end: i + 1 },
      emotions: LANGUAGE_EMOTION_LABELS.map((name, k) => ({ name, score: Math.fround(Math.sin(i * 53 + k) ** 2) })),
    }));
    const reply = { payload_id: "p\u2028", job_details: { job_id: "j" }, language: { predictions } };
    assert.equal(serializeReply(reply), JSON.stringify(reply));
  });

  it("matches JSON.stringify on the edge cases of plain JSON data", () => {
    const cases: object[] = [
      { error: "bad", code: "E0100" },
      { a: undefined, b: () => 1, c: [undefined, () => 1, NaN, Infinity, -0, null], d: true, e: false },
      { scores: [{ score: 0.5, name: "reversed key order" }] },
      { scores: [{ name: "extra key", score: 1, more: 2 }] },
      { scores: [{ name: "mixed", score: 1 }, { name: 1, score: "x" }, "string"] },
      { scores: [{ name: "not finite", score: NaN }, { name: "ok", score: 1e-7 }] },
      { nested: { empty: [], obj: {}, date: new Date(0) } },
      { language: { warning: "No emotional language detected.", code: "W0104" } },
    ];
    for (const value of cases) assert.equal(serializeReply(value), JSON.stringify(value));
  });
});
