import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EXPRESSION_LABELS } from "../../protocol/index.js";
import { FACE_SIGNALS, type FaceSignal } from "./action-units.js";
import { projectExpressions } from "./expressions.js";
import { FERPLUS_CLASSES, type FerPlusClass } from "./formulas.js";

function probabilities(weights: Partial<Record<FerPlusClass, number>>): Float32Array {
  const p = new Float32Array(FERPLUS_CLASSES.length);
  FERPLUS_CLASSES.forEach((name, i) => (p[i] = weights[name] ?? 0));
  return p;
}

function signalVector(units: Partial<Record<FaceSignal, number>>): Float32Array {
  return Float32Array.from(FACE_SIGNALS, (name) => units[name] ?? 0);
}

function scores(weights: Partial<Record<FerPlusClass, number>>, units: Partial<Record<FaceSignal, number>> = {}): Map<string, number> {
  const out = projectExpressions(probabilities(weights), signalVector(units));
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

  it("reads action units for what no class separates, each rising with its units", () => {
    const cases: [string, Partial<Record<FaceSignal, number>>][] = [
      ["Concentration", { "AU4 Brow Lowerer": 1, "AU7 Lids Tight": 1 }],
      ["Tiredness", { "AU43 Eye Closure": 1, "AU54 Head Down": 1 }],
      ["Pain", { "AU4 Brow Lowerer": 1, "AU6 Cheek Raise": 1, "AU9 Nose Wrinkle": 1, "AU43 Eye Closure": 1 }],
      ["Awe", { "AU1 Inner Brow Raise": 1, "AU2 Outer Brow Raise": 1, "AU5 Upper Lid Raise": 1, "AU26 Jaw Drop": 1 }],
      ["Contempt", { "Unilateral AU12/AU14": 1 }],
      ["Confusion", { "AU4 Brow Lowerer": 1, "AU1 Inner Brow Raise": 1 }],
    ];
    for (const [label, units] of cases) {
      let previous = -1;
      for (const level of [0, 0.25, 0.5, 0.75, 1]) {
        const scaled = Object.fromEntries(Object.entries(units).map(([name, value]) => [name, value * level]));
        const score = scores({ neutral: 1 }, scaled).get(label)!;
        assert.ok(score > previous, `${label} at ${level}: ${score}`);
        previous = score;
      }
      assert.ok(previous >= 0.4, `${label} with its units at full: ${previous}`);
    }
  });

  it("keeps Concentration down when the lowered brow comes with a smile", () => {
    const frowning = scores({ neutral: 1 }, { "AU4 Brow Lowerer": 0.8, "AU7 Lids Tight": 0.8 }).get("Concentration")!;
    const smiling = scores({ neutral: 1 }, { "AU4 Brow Lowerer": 0.8, "AU7 Lids Tight": 0.8, "AU12 Lip Corner Puller": 1 }).get("Concentration")!;
    assert.ok(smiling < frowning - 0.3, `${smiling} vs ${frowning}`);
  });
});
