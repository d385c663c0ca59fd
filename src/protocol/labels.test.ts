import assert from "node:assert/strict";
import { it } from "node:test";
import { EXPRESSION_LABELS, FACE_DESCRIPTION_LABELS, LANGUAGE_EMOTION_LABELS, SENTIMENT_LABELS, TOXICITY_LABELS } from "./labels.js";

const ascii = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

it("label lists have the spec's sizes and alphabetical order", () => {
  assert.equal(EXPRESSION_LABELS.length, 48);
  assert.equal(LANGUAGE_EMOTION_LABELS.length, 53);
  assert.equal(FACE_DESCRIPTION_LABELS.length, 27);
  assert.deepEqual([...EXPRESSION_LABELS], [...EXPRESSION_LABELS].sort(ascii));
  assert.deepEqual([...LANGUAGE_EMOTION_LABELS], [...LANGUAGE_EMOTION_LABELS].sort(ascii));
  assert.deepEqual(SENTIMENT_LABELS, ["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  assert.deepEqual(TOXICITY_LABELS, ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]);
  const extra = LANGUAGE_EMOTION_LABELS.filter((l) => !(EXPRESSION_LABELS as readonly string[]).includes(l));
  assert.deepEqual(extra, ["Annoyance", "Disapproval", "Enthusiasm", "Gratitude", "Sarcasm"]);
});
