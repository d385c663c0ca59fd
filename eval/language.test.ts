import assert from "node:assert/strict";
import { test } from "node:test";
import { LANGUAGE_EMOTION_LABELS } from "../src/protocol/index.js";
import { labelAucs } from "./language.js";
import { NEUTRAL_SENTENCES, topScoreFigures } from "./neutral-probe.js";
import { SITUATIONS, rankOf } from "./situation-probe.js";

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

test("topScoreFigures reads each row's top label and score", () => {
  const rows = [
    ["Joy", 0.9],
    ["Joy", 0.2],
    ["Sarcasm", 0.4],
    ["Joy", 0.1],
  ] as const;
  const emotions = new Float32Array(rows.length * LANGUAGE_EMOTION_LABELS.length).fill(0.01);
  rows.forEach(([label, score], r) => (emotions[r * LANGUAGE_EMOTION_LABELS.length + LANGUAGE_EMOTION_LABELS.indexOf(label)] = score));
  const figures = topScoreFigures(emotions);
  assert.equal(figures.rows, 4);
  assert.ok(Math.abs(figures.topMedian - 0.3) < 1e-6, String(figures.topMedian));
  assert.equal(figures.shareAbove03, 0.5);
  assert.deepEqual([figures.commonestTop, figures.commonestTopShare], ["Joy", 0.75]);
});

test("the neutral probe's sentences are distinct, plain and not the issue's examples", () => {
  assert.equal(new Set(NEUTRAL_SENTENCES).size, NEUTRAL_SENTENCES.length);
  assert.ok(NEUTRAL_SENTENCES.length >= 40);
  for (const text of NEUTRAL_SENTENCES) assert.doesNotMatch(text, /Mary had a little lamb|send me the invoice/i);
});

test("rankOf gives a label's 1-based place among the 53 scores", () => {
  const emotions = new Float32Array(LANGUAGE_EMOTION_LABELS.length).fill(0.01);
  emotions[LANGUAGE_EMOTION_LABELS.indexOf("Fear")] = 0.5;
  emotions[LANGUAGE_EMOTION_LABELS.indexOf("Anxiety")] = 0.3;
  assert.equal(rankOf(emotions, "Fear"), 1);
  assert.equal(rankOf(emotions, "Anxiety"), 2);
  assert.equal(rankOf(emotions, "Joy"), 3, "ties share the best place");
});

test("the situation probe's sentences are distinct and never name their feeling", () => {
  const texts = SITUATIONS.map(([, text]) => text);
  assert.equal(new Set(texts).size, texts.length);
  for (const [label, text] of SITUATIONS) {
    assert.ok(!text.toLowerCase().includes(label.toLowerCase().slice(0, 4)), `${label}: ${text}`);
    assert.doesNotMatch(text, /\b(afraid|scared|worried|nervous|happy|sad|angry|jealous|envious|ashamed|proud|thankful|grateful|horrified|nostalgic|disgusted)\b/i, text);
  }
});
