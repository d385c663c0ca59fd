import assert from "node:assert/strict";
import { test } from "node:test";
import { LANGUAGE_EMOTION_LABELS } from "../src/protocol/index.js";
import { labelAucs } from "./language.js";

test("labelAucs ranks each output against the texts carrying one of its labels", () => {
  const envy = LANGUAGE_EMOTION_LABELS.indexOf("Envy");
  const scores = [0.9, 0.1, 0.8, 0.3].map((value) => {
    const emotions = new Float32Array(LANGUAGE_EMOTION_LABELS.length);
    emotions[envy] = value;
    return { emotions, sentiment: new Float32Array(9), toxicity: new Float32Array(6) };
  });
  const labels = ["jealous", "sad", "envious", "content"];
  const aucs = labelAucs([["Envy", ["jealous", "envious"]], ["Shame", ["ashamed"]]], labels, scores);
  assert.equal(aucs.Envy, 1, "both jealous and envious texts outrank the others");
  assert.equal(aucs.Shame, null, "no ashamed text: no AUC");
  assert.equal(labelAucs([["Envy", ["sad"]]], labels, scores).Envy, 0, "the one sad text scores lowest");
});
