import assert from "node:assert/strict";
import { test } from "node:test";
import { LANGUAGE_EMOTION_LABELS } from "../src/protocol/index.js";
import { parsePtb } from "./metrics.js";
import { goEmotionsReadout, sst5Readout } from "./readout.js";

function emotions(values: Record<string, number>): Float32Array {
  const out = new Float32Array(LANGUAGE_EMOTION_LABELS.length);
  for (const [name, value] of Object.entries(values)) out[LANGUAGE_EMOTION_LABELS.indexOf(name as never)] = value;
  return out;
}

function levels(...p: number[]): Float32Array {
  return Float32Array.from(p);
}

test("GoEmotions readout applies max, sum and one_minus_max against per-label thresholds", () => {
  const readout = goEmotionsReadout({
    goemotions: {
      labels: ["joy", "surprise", "neutral"],
      mapping: {
        joy: { op: "max", labels: ["Joy"] },
        surprise: { op: "sum", labels: ["Surprise (negative)", "Surprise (positive)"] },
        neutral: { op: "one_minus_max", labels: ["Joy", "Anger"] },
      },
      thresholds: { joy: 0.5, surprise: 0.5, neutral: 0.6 },
    },
  });
  const none = new Float32Array(9);
  assert.deepEqual([...readout.predict(emotions({ Joy: 0.7, "Surprise (negative)": 0.3, "Surprise (positive)": 0.3 }), none)], ["joy", "surprise"]);
  assert.deepEqual([...readout.predict(emotions({ Joy: 0.2, Anger: 0.3 }), none)], ["neutral"]);
  assert.deepEqual([...readout.predict(emotions({ Joy: 0.45, Anger: 0.1 }), none)], []);
});

test("SST-5 fold by expected-level cut points counts cut points strictly below E", () => {
  const readout = sst5Readout({ sst5_fold: { method: "expected_level_cutpoints", cutpoints: [2.5, 4.5, 5.5, 7.5] } });
  assert.equal(readout.classOf(levels(1, 0, 0, 0, 0, 0, 0, 0, 0)), 0);
  assert.equal(readout.classOf(levels(0, 0, 0, 0, 1, 0, 0, 0, 0)), 2);
  assert.equal(readout.classOf(levels(0, 0, 0, 0, 0, 0, 0, 0, 1)), 4);
  assert.equal(readout.classOf(levels(0, 0, 0, 0.5, 0, 0.5, 0, 0, 0)), 2); // E = 5
});

test("SST-5 fold by mass gives odd levels full weight and even neighbours half", () => {
  const readout = sst5Readout({ sst5_fold: { method: "mass" } });
  assert.equal(readout.classOf(levels(0, 0, 0, 0, 0, 0, 0.2, 0.8, 0)), 3); // class 3: 0.2 + 0.4; class 4: 0.4
  assert.equal(readout.classOf(levels(0.1, 0.5, 0.4, 0, 0, 0, 0, 0, 0)), 1);
});

test("SST-5 linear fold takes the argmax of bias + weights · p", () => {
  // Class k reads level 2k+1 only; class 2 has a head start of 0.3.
  const weights = [0, 1, 2, 3, 4].map((k) => Array.from({ length: 9 }, (_, l) => (l === 2 * k ? 1 : 0)));
  const readout = sst5Readout({ sst5_fold: { method: "linear", weights, bias: [0, 0, 0.3, 0, 0] } });
  assert.equal(readout.classOf(levels(0, 0, 0, 0, 0, 0, 0, 0, 1)), 4);
  assert.equal(readout.classOf(levels(0, 0, 0.5, 0, 0.1, 0, 0, 0, 0.4)), 1);
  assert.equal(readout.classOf(levels(0, 0, 0.2, 0, 0, 0, 0.2, 0, 0.2)), 2);
  assert.throws(() => sst5Readout({ sst5_fold: { method: "linear", weights: [[1]], bias: [0] } }), /weights \[5\]\[9\]/);
});

test("SST text uses the configured detokenization rules in order", () => {
  const readout = sst5Readout({
    sst5_fold: { method: "mass" },
    sst_detokenize: { join: "space-join leaf tokens", replace_in_order: [[" n't", "n't"], [" .", "."]] },
  });
  assert.equal(readout.text(parsePtb("(1 (2 It) (1 (1 does) (2 n't)) (2 .))")), "It doesn't.");
});
