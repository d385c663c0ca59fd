// The burst projection: each family lights the expressions its sound conveys, rises with the family's
// peak, and leaves everything at 0 when nothing fired.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EXPRESSION_LABELS, type Expression } from "../../protocol/index.js";
import { BURST_PROJECTION, projectBurst } from "./expressions.js";
import { BURST_FAMILIES, type BurstFamily } from "./families.js";

const peaks = (set: Partial<Record<BurstFamily, number>>) => Float32Array.from(BURST_FAMILIES, (family) => set[family] ?? 0);
const score = (scores: Float32Array, label: Expression) => scores[EXPRESSION_LABELS.indexOf(label)]!;
const top = (scores: Float32Array) => EXPRESSION_LABELS[scores.indexOf(Math.max(...scores))];

describe("projectBurst", () => {
  it("is 0 everywhere when no family fired", () => {
    assert.ok(projectBurst(peaks({})).every((v) => v === 0));
  });

  it("reads laughs as Amusement, cries as Sadness, screams as Fear, sighs as Relief/Tiredness", () => {
    assert.equal(top(projectBurst(peaks({ laugh: 0.9 }))), "Amusement");
    assert.equal(top(projectBurst(peaks({ cry: 0.9 }))), "Sadness");
    assert.equal(top(projectBurst(peaks({ scream: 0.9 }))), "Fear");
    assert.ok(["Relief", "Tiredness"].includes(top(projectBurst(peaks({ sigh: 0.9 })))!));
  });

  it("rises monotonically with each family's peak, for every expression it feeds", () => {
    for (const family of BURST_FAMILIES) {
      let previous = projectBurst(peaks({ [family]: 0 }));
      for (const peak of [0.2, 0.4, 0.6, 0.8, 1]) {
        const current = projectBurst(peaks({ [family]: peak }));
        for (const label of Object.keys(BURST_PROJECTION[family]) as Expression[]) assert.ok(score(current, label) > score(previous, label), `${family} ${label} at ${peak}`);
        previous = current;
      }
    }
  });

  it("combines families without exceeding 1, and a second family only adds", () => {
    const alone = projectBurst(peaks({ laugh: 1 }));
    const both = projectBurst(peaks({ laugh: 1, cry: 1 }));
    for (let i = 0; i < EXPRESSION_LABELS.length; i++) {
      assert.ok(both[i]! >= alone[i]! && both[i]! <= 1);
    }
  });

  it("uses only the 48 expression names", () => {
    for (const family of BURST_FAMILIES) for (const label of Object.keys(BURST_PROJECTION[family])) assert.ok((EXPRESSION_LABELS as readonly string[]).includes(label), label);
  });
});
