// End-to-end checks of the trained language model through its public factory (worker pool included).
// Skipped, with a message, when models/language/language.onnx is not installed.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { DecodedMedia } from "../../media/types.js";
import {
  LANGUAGE_EMOTION_LABELS,
  SENTIMENT_LABELS,
  TOXICITY_LABELS,
  type LanguageConfig,
  type LanguagePrediction,
  type ModelOutput,
} from "../../protocol/index.js";
import type { ExpressionModel, PredictContext } from "../types.js";
import type { WorkerPool } from "../../runtime/worker-pool.js";
import { startModel } from "../../../tests/support/model-harness.js";
import { loadConfig } from "./config.js";
import { languageModel } from "./index.js";
import { words } from "./segment.js";

const installed = languageModel.isInstalled();
const SKIP = installed ? false : "models/language/language.onnx is not installed (train the model first)";
if (!installed) console.log(`# language model tests skipped: ${SKIP}`);

let model: ExpressionModel<"language"> | null = null;
let pool: WorkerPool | undefined;
const context = {} as PredictContext;

before(async () => {
  if (!installed) return;
  // Workers only: these tests pin what batching does to a text's scores (the inline path is the server default, covered by the conformance suite).
  ({ model, pool } = await startModel(languageModel, { batchWindowMs: 2 }));
});

after(async () => {
  await model?.close?.();
  await pool?.close();
});

function text(value: string): DecodedMedia {
  return { kind: "text", text: value };
}

async function predict(value: string, config: Partial<LanguageConfig> = {}): Promise<ModelOutput<LanguagePrediction>> {
  assert.ok(model !== null);
  return model.predict(text(value), { granularity: "sentence", sentiment: true, toxicity: true, ...config }, context);
}

async function predictions(value: string, config: Partial<LanguageConfig> = {}): Promise<LanguagePrediction[]> {
  const output = await predict(value, config);
  assert.ok("predictions" in output, `expected predictions for ${JSON.stringify(value)}, got ${JSON.stringify(output)}`);
  return output.predictions;
}

function score(p: LanguagePrediction, name: string): number {
  const found = p.emotions.find((e) => e.name === name);
  assert.ok(found !== undefined, name);
  return found.score;
}

function medianEmotion(p: LanguagePrediction): number {
  const sorted = p.emotions.map((e) => e.score).sort((a, b) => a - b);
  return sorted[(sorted.length - 1) / 2] as number; // 53 scores: the 27th
}

test("factory metadata", () => {
  assert.equal(languageModel.name, "language");
  assert.deepEqual(languageModel.needs({ granularity: "word", sentiment: true, toxicity: true }), { frameRate: undefined, audio: false, audioWindow: false });
});

test("shapes, label names and orders, sentiment sums to 1, scores are probabilities", { skip: SKIP }, async () => {
  const ps = await predictions("What a wonderful surprise! I am thrilled. But the traffic was awful.");
  assert.equal(ps.length, 3);
  for (const p of ps) {
    assert.deepEqual(p.emotions.map((e) => e.name), [...LANGUAGE_EMOTION_LABELS]);
    assert.deepEqual(p.sentiment?.map((e) => e.name), [...SENTIMENT_LABELS]);
    assert.deepEqual(p.toxicity?.map((e) => e.name), [...TOXICITY_LABELS]);
    for (const s of [...p.emotions, ...(p.toxicity ?? []), ...(p.sentiment ?? [])]) {
      assert.ok(Number.isFinite(s.score) && s.score >= 0 && s.score <= 1, `${s.name}=${s.score}`);
    }
    const total = (p.sentiment ?? []).reduce((sum, s) => sum + s.score, 0);
    assert.ok(Math.abs(total - 1) < 1e-4, `sentiment sums to ${total}`);
  }
  // Emotions are not constant across very different sentences.
  const a = ps[0] as LanguagePrediction;
  const c = ps[2] as LanguagePrediction;
  assert.ok(a.emotions.some((e, i) => Math.abs(e.score - (c.emotions[i]?.score ?? 0)) > 1e-3));
});

test("sentiment and toxicity appear only when configured", { skip: SKIP }, async () => {
  const [p] = await predictions("Thanks a lot.", { sentiment: false, toxicity: false });
  assert.ok(p !== undefined);
  assert.equal(p.sentiment, undefined);
  assert.equal(p.toxicity, undefined);
  assert.equal(p.emotions.length, 53);
});

test("offsets slice back to each item's text, for every granularity", { skip: SKIP }, async () => {
  const value = "  Dr. Smith 😀 was naïve!\r\nWe met… twice.  Thanks 🙏🏽 again ";
  const cps = [...value];
  for (const granularity of ["word", "sentence", "utterance", "conversational_turn", "passage"] as const) {
    const ps = await predictions(value, { granularity });
    assert.ok(ps.length > 0, granularity);
    for (const p of ps) assert.equal(cps.slice(p.position.begin, p.position.end).join(""), p.text, `${granularity} ${JSON.stringify(p.text)}`);
  }
});

test("word granularity gives one item per word", { skip: SKIP }, async () => {
  const value = "I can't believe it, this is the best day ever! Honestly… wow.";
  const ps = await predictions(value, { granularity: "word" });
  assert.deepEqual(ps.map((p) => p.text), words(value).map((w) => w.text));
  assert.deepEqual(ps.map((p) => p.text), ["I", "can't", "believe", "it", "this", "is", "the", "best", "day", "ever", "Honestly", "wow"]);
});

test("a long text (beyond max_tokens) still gives one passage and a prediction per word", { skip: SKIP }, async () => {
  const value = Array.from({ length: 120 }, (_, i) => `Sentence number ${i} is calm and fine.`).join(" ");
  const [p] = await predictions(value, { granularity: "passage" });
  assert.ok(p !== undefined);
  assert.equal(p.text, value);
  const total = (p.sentiment ?? []).reduce((sum, s) => sum + s.score, 0);
  assert.ok(Math.abs(total - 1) < 1e-4);
  const ws = await predictions(value, { granularity: "word" });
  assert.equal(ws.length, words(value).length);
});

test("text without words gives the nested W0104 warning", { skip: SKIP }, async () => {
  for (const value of ["", "   \n ", "... !!!"]) {
    assert.deepEqual(await predict(value), { warning: "No emotional language detected.", code: "W0104" });
  }
});

test("'I love you so much, thank you!' scores Love and Gratitude above its median", { skip: SKIP }, async () => {
  const [p] = await predictions("I love you so much, thank you!", { granularity: "passage" });
  assert.ok(p !== undefined);
  const med = medianEmotion(p);
  assert.ok(score(p, "Love") > med, `Love ${score(p, "Love")} vs median ${med}`);
  assert.ok(score(p, "Gratitude") > med, `Gratitude ${score(p, "Gratitude")} vs median ${med}`);
});

test("a clear insult is more toxic than a neutral sentence", { skip: SKIP }, async () => {
  const [insult] = await predictions("You are a worthless, pathetic idiot and everyone hates you.", { granularity: "passage" });
  const [neutral] = await predictions("The meeting is scheduled for Tuesday at ten.", { granularity: "passage" });
  const toxic = (p: LanguagePrediction | undefined): number => p?.toxicity?.find((t) => t.name === "toxic")?.score ?? Number.NaN;
  assert.ok(toxic(insult) > toxic(neutral), `insult ${toxic(insult)} vs neutral ${toxic(neutral)}`);
});

test("a word's scores depend on its context", { skip: SKIP }, async () => {
  const a = await predictions("I love this movie so much.", { granularity: "word" });
  const b = await predictions("I hate this movie so much.", { granularity: "word" });
  const movieA = a.find((p) => p.text === "movie");
  const movieB = b.find((p) => p.text === "movie");
  assert.ok(movieA !== undefined && movieB !== undefined);
  const diff = Math.max(...movieA.emotions.map((e, i) => Math.abs(e.score - (movieB.emotions[i]?.score ?? 0))));
  assert.ok(diff > 1e-4, `largest difference ${diff}`);
});

test("batched and padded requests give the same scores as a lone request", { skip: SKIP }, async () => {
  const value = "Thank you for the lovely flowers.";
  const [alone] = await predictions(value, { granularity: "word" });
  const together = await Promise.all([
    predictions("Short.", { granularity: "word" }),
    predictions(value, { granularity: "word" }),
    predictions("A much longer sentence with many more words in it, to force padding of the others in the batch.", { granularity: "word" }),
  ]);
  const [same] = together[1] as LanguagePrediction[];
  assert.ok(alone !== undefined && same !== undefined);
  alone.emotions.forEach((e, i) => assert.ok(Math.abs(e.score - (same.emotions[i]?.score ?? 0)) < 1e-4, e.name));
});

// Derived labels (model card, "Label derivations"): their behaviour is pinned here.

test("Surprise (positive) and (negative) split the surprise by valence", { skip: SKIP }, async () => {
  const [good] = await predictions("What a wonderful surprise, I can't believe you planned all this for me!", { granularity: "passage" });
  const [bad] = await predictions("I was shocked to find my car smashed and stolen this morning.", { granularity: "passage" });
  assert.ok(good !== undefined && bad !== undefined);
  assert.ok(score(good, "Surprise (positive)") > score(good, "Surprise (negative)"), "pleasant surprise");
  assert.ok(score(bad, "Surprise (negative)") > score(bad, "Surprise (positive)"), "unpleasant surprise");
});

test("seed-derived labels rise on their own kind of text, above neutral and unrelated text", { skip: SKIP }, async () => {
  const cases: [string, string][] = [
    ["Tiredness", "I'm exhausted after this long day, I can barely keep my eyes open."],
    ["Concentration", "Please be quiet, I'm trying to focus on my exam revision."],
    ["Nostalgia", "This song reminds me of my childhood summers, those were the days."],
    ["Envy", "I'm so jealous of her new house."],
    ["Horror", "That was the most horrifying scene I have ever witnessed."],
  ];
  const [neutral] = await predictions("The meeting is scheduled for Tuesday at ten.", { granularity: "passage" });
  const [grateful] = await predictions("Thank you so much, this means the world to me.", { granularity: "passage" });
  assert.ok(neutral !== undefined && grateful !== undefined);
  for (const [label, value] of cases) {
    const [own] = await predictions(value, { granularity: "passage" });
    assert.ok(own !== undefined);
    const mine = score(own, label);
    assert.ok(mine > medianEmotion(own), `${label} ${mine} above the median emotion of its own text`);
    for (const other of [neutral, grateful]) {
      assert.ok(mine > score(other, label) + 0.05, `${label}: ${mine} on its own text vs ${score(other, label)} on "${other.text}"`);
    }
  }
});

test("a seed label with a family stays under its family's ceiling, so it does not fire on another feeling's text", { skip: SKIP }, async () => {
  const derived = (loadConfig().raw.derived ?? {}) as { family_ceilings?: Record<string, string[]>; family_scale?: number };
  const families = Object.entries(derived.family_ceilings ?? {});
  const scale = derived.family_scale ?? 0;
  assert.ok(families.length > 0 && scale > 0, "config.json derived.family_ceilings and family_scale");
  const texts = [
    "I can't stand this anymore, it makes me furious.",
    "That was the most horrifying scene I have ever witnessed.",
    "I'm so ashamed of what I did at the party.",
    "We finally won the championship, victory is ours!",
    "My heart breaks for the families who lost everything in the fire.",
    "I adore my little puppy.",
  ];
  for (const value of texts) {
    const [p] = await predictions(value, { granularity: "passage" });
    assert.ok(p !== undefined);
    for (const [label, family] of families) {
      const ceiling = scale * Math.max(...family.map((name) => score(p, name)));
      assert.ok(score(p, label) <= ceiling + 1e-4, `${label} ${score(p, label)} over ${scale} x its family ${family.join("/")} on "${value}"`);
    }
  }
  const [furious] = await predictions(texts[0]!, { granularity: "passage" });
  const [horrifying] = await predictions(texts[1]!, { granularity: "passage" });
  assert.ok(furious !== undefined && horrifying !== undefined);
  assert.ok(score(furious, "Horror") < 0.15 && score(horrifying, "Horror") > 0.5, `Horror ${score(furious, "Horror")} on anger, ${score(horrifying, "Horror")} on horror`);
});

test("no emotion label is a constant", { skip: SKIP }, async () => {
  const texts = [
    "Thank you so much, this means the world to me.",
    "I can't stand this anymore, it makes me furious.",
    "I'm so tired and bored of waiting.",
    "Wow, that sunset over the mountains is breathtaking.",
    "I'm worried the test results will be bad.",
    "Oh great, another Monday. Just what I needed.",
    "I miss my grandmother's kitchen so much.",
    "I'm proud that we finally won the championship!",
    "I often ponder what the meaning of my life is.",
    "Sitting by the quiet lake, I feel calm and relaxed.",
  ];
  const rows = await Promise.all(texts.map((value) => predictions(value, { granularity: "passage" })));
  for (const name of LANGUAGE_EMOTION_LABELS) {
    const values = rows.map((r) => score(r[0]!, name));
    const spread = Math.max(...values) - Math.min(...values);
    assert.ok(spread > 1e-3, `${name} varies by only ${spread} across ${texts.length} different texts`);
  }
});

// v4 (issue 19): scores mean what their names say on plain text, and word scores come from the word in context.

test("plain sentences score low on every label, as wholes and word by word", { skip: SKIP }, async () => {
  const plain = ["The train leaves at seven.", "Mark the box with a red pen.", "Sarah works at the bank on Main Street."];
  for (const value of plain) {
    for (const granularity of ["sentence", "word"] as const) {
      for (const p of await predictions(value, { granularity })) {
        const top = Math.max(...p.emotions.map((e) => e.score));
        assert.ok(top < 0.3, `${granularity} "${p.text}" of "${value}": top score ${top}`);
      }
    }
  }
});

test("an emotional word outscores the other words of its sentence on its own emotion", { skip: SKIP }, async () => {
  const cases: [string, string, string][] = [
    ["We were terrified during the storm.", "terrified", "Fear"],
    ["This food is disgusting.", "disgusting", "Disgust"],
    ["I'm exhausted after work.", "exhausted", "Tiredness"],
  ];
  for (const [value, word, label] of cases) {
    const rows = await predictions(value, { granularity: "word" });
    const own = rows.find((p) => p.text === word);
    assert.ok(own !== undefined, word);
    assert.ok(score(own, label) > 0.5, `${label} of "${word}": ${score(own, label)}`);
    for (const other of rows.filter((p) => p !== own)) {
      assert.ok(score(own, label) > score(other, label) + 0.2, `${label}: "${word}" ${score(own, label)} vs "${other.text}" ${score(other, label)}`);
    }
  }
});

test("no label tops plain sentences by its floor alone, and clear text keeps its high score", { skip: SKIP }, async () => {
  const plain = [
    "The invoice number is printed at the top of the page.",
    "Click the blue button to download the file.",
    "The ferry crosses the lake twice a day.",
    "Our team meets in room four on Thursdays.",
    "The charger fits both phones.",
    "Her desk is next to the window on the left.",
    "The recipe uses three eggs and a cup of sugar.",
    "The station is a five minute walk from the hotel.",
    "Rachel forwarded the email to the whole department.",
    "The parking lot closes at midnight.",
  ];
  const tops = new Map<string, number[]>();
  for (const value of plain) {
    const [p] = await predictions(value, { granularity: "sentence" });
    assert.ok(p !== undefined);
    const top = p.emotions.reduce((best, e) => (e.score > best.score ? e : best));
    tops.set(top.name, [...(tops.get(top.name) ?? []), top.score]);
  }
  // A label may come first on most plain sentences only at scores too low to read as that emotion: v4's floors put
  // Enthusiasm first on 6 of these at a median of 0.026; below 0.02, which near-zero label is first is noise.
  const [label, scores] = [...tops].sort((a, b) => b[1].length - a[1].length)[0] as [string, number[]];
  const median = [...scores].sort((a, b) => a - b)[Math.floor(scores.length / 2)] as number;
  assert.ok(scores.length <= plain.length / 2 || median < 0.02, `${label} tops ${scores.length} of ${plain.length} plain sentences, median score ${median}`);
  // The low-end stretch (model card, v4.1) leaves scores from its knee (0.2) up unchanged.
  const [agree] = await predictions("I totally agree, that is exactly right.", { granularity: "sentence" });
  assert.ok(agree !== undefined);
  assert.ok(score(agree, "Satisfaction") > 0.5, `Satisfaction ${score(agree, "Satisfaction")}`);
});
