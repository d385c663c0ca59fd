// The projection from the prosody classifier's outputs onto the 48 expressions: bounded, neutral speech
// low everywhere, and monotone where the issue pins it (anger over calm, sadness, arousal).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EXPRESSION_LABELS, type Expression } from "../../protocol/index.js";
import { EXPRESSION_PROJECTION, PROSODY_CLASSES, projectExpressions, type ProsodyClass } from "./expressions.js";

function outputs(probabilities: Partial<Record<ProsodyClass, number>>, arousal = 0, valence = 0) {
  return { classes: PROSODY_CLASSES.map((name) => probabilities[name] ?? 0), arousal, valence };
}

const score = (scores: Float32Array, label: Expression): number => scores[EXPRESSION_LABELS.indexOf(label)]!;

describe("prosody expressions", () => {
  it("every projected name is one of the 48; weights are positive", () => {
    for (const [label, terms] of Object.entries(EXPRESSION_PROJECTION)) {
      assert.ok((EXPRESSION_LABELS as readonly string[]).includes(label), label);
      for (const [weight] of terms) assert.ok(weight > 0);
    }
  });

  it("scores stay in [0, 1] for any outputs", () => {
    for (const name of PROSODY_CLASSES) {
      for (const [arousal, valence] of [[1, 1], [-1, -1], [1, -1], [-1, 1]] as const) {
        for (const value of projectExpressions(outputs({ [name]: 1 }, arousal, valence))) assert.ok(value >= 0 && value <= 1);
      }
    }
  });

  it("neutral speech scores low everywhere", () => {
    const scores = projectExpressions(outputs({ neutral: 0.9, calm: 0.05, sad: 0.05 }, -0.2, 0));
    assert.ok(Math.max(...scores) < 0.2, `max ${Math.max(...scores)}`);
  });

  it("angry speech raises Anger above Calmness; sad speech raises Sadness to the top", () => {
    const angry = projectExpressions(outputs({ angry: 0.7, neutral: 0.2, calm: 0.1 }, 0.7, -0.5));
    assert.ok(score(angry, "Anger") > score(angry, "Calmness"));
    const sad = projectExpressions(outputs({ sad: 0.7, neutral: 0.3 }, -0.5, -0.6));
    const top = EXPRESSION_LABELS[sad.indexOf(Math.max(...sad))];
    assert.equal(top, "Sadness");
  });

  it("higher arousal raises Excitement, Anger and Fear over Tiredness and Calmness", () => {
    const mixed = { happy: 0.3, angry: 0.2, fearful: 0.2, calm: 0.15, boredom: 0.15 };
    const low = projectExpressions(outputs(mixed, -0.6, 0));
    const high = projectExpressions(outputs(mixed, 0.8, 0));
    for (const up of ["Excitement", "Horror"] as const) assert.ok(score(high, up) > score(low, up), up);
    for (const down of ["Tiredness", "Contentment"] as const) assert.ok(score(high, down) < score(low, down), down);
    const aroused = projectExpressions(outputs({ happy: 0.3, angry: 0.35, fearful: 0.35 }, 0.8, 0));
    const tired = projectExpressions(outputs({ calm: 0.5, boredom: 0.5 }, -0.7, 0));
    for (const label of ["Excitement", "Anger", "Fear"] as const) assert.ok(score(aroused, label) > score(tired, label), label);
    for (const label of ["Tiredness", "Calmness"] as const) assert.ok(score(tired, label) > score(aroused, label), label);
  });

  it("expressions without vocal evidence stay at 0", () => {
    const scores = projectExpressions(outputs({ happy: 0.5, angry: 0.5 }, 1, 1));
    for (const label of ["Romance", "Guilt", "Envy", "Craving"] as const) assert.equal(score(scores, label), 0);
  });
});
