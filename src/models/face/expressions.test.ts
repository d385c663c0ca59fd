import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EXPRESSION_LABELS } from "../../protocol/index.js";
import { FERPLUS_CLASSES, projectExpressions, type FerPlusClass } from "./expressions.js";

function probabilities(weights: Partial<Record<FerPlusClass, number>>): Float32Array {
  const p = new Float32Array(FERPLUS_CLASSES.length);
  FERPLUS_CLASSES.forEach((name, i) => (p[i] = weights[name] ?? 0));
  return p;
}

function scores(weights: Partial<Record<FerPlusClass, number>>): Map<string, number> {
  const out = projectExpressions(probabilities(weights));
  return new Map(EXPRESSION_LABELS.map((label, i) => [label, out[i]!]));
}

function ranked(weights: Partial<Record<FerPlusClass, number>>): string[] {
  return [...scores(weights)].sort((a, b) => b[1] - a[1]).map(([label]) => label);
}

describe("projectExpressions", () => {
  it("scores a neutral face low everywhere", () => {
    for (const [label, score] of scores({ neutral: 1 })) assert.ok(score <= 0.3 + 1e-6, `${label} ${score}`);
  });

  it("puts Joy and Amusement above every other expression for a smile", () => {
    assert.deepEqual(ranked({ happiness: 0.95, neutral: 0.05 }).slice(0, 2), ["Joy", "Amusement"]);
  });

  it("raises Joy and Amusement monotonically with the smile's probability", () => {
    let previous = -1;
    for (const happiness of [0, 0.2, 0.4, 0.6, 0.8, 1]) {
      const s = scores({ happiness, neutral: 1 - happiness });
      assert.ok(s.get("Joy")! > previous);
      previous = s.get("Joy")!;
    }
  });

  it("makes each basic class's namesake its top expression", () => {
    const namesakes: [FerPlusClass, string][] = [["anger", "Anger"], ["sadness", "Sadness"], ["disgust", "Disgust"], ["fear", "Fear"], ["contempt", "Contempt"]];
    for (const [cls, label] of namesakes) assert.equal(ranked({ [cls]: 1 })[0], label, cls);
  });

  it("splits surprise by what comes with it", () => {
    const happy = scores({ surprise: 0.5, happiness: 0.5 });
    const afraid = scores({ surprise: 0.5, fear: 0.5 });
    assert.ok(happy.get("Surprise (positive)")! > happy.get("Surprise (negative)")!);
    assert.ok(afraid.get("Surprise (negative)")! > afraid.get("Surprise (positive)")!);
  });

  it("keeps expressions no class supports at zero and every score in [0, 1]", () => {
    for (const cls of FERPLUS_CLASSES) {
      const s = scores({ [cls]: 1 });
      assert.equal(s.get("Romance"), 0);
      for (const score of s.values()) assert.ok(score >= 0 && score <= 1);
    }
  });
});
