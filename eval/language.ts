// Language model evaluation on held-out test data (never used for training or tuning):
// * GoEmotions test.tsv: macro F1 over its 28 labels (27 + neutral), our 53 outputs mapped back with the
//   mapping and the DEV-chosen thresholds in models/language/config.json;
// * SST-5 test trees: accuracy of the root label (0..4), the 9-level sentiment folded to 5 classes as
//   config.json says;
// * Jigsaw: mean ROC-AUC of the 6 toxicity labels over the ids in models/language/jigsaw_holdout_ids.txt;
// * EmpatheticDialogues situations test.csv (never used in training: its licence is non-commercial): one-vs-
//   rest ROC-AUC of labels no dataset annotates (seed labels), beside labels it learns from data, on texts
//   of a kind it never saw (situation descriptions). Bars (issue 19): seed labels' mean
//   ≥ 0.80, all mapped labels' mean ≥ 0.85;
// * the neutral-text probe (./neutral-probe.ts): top scores of plain sentences and of their words in context;
// * the situation probe (./situation-probe.ts): where a described situation's feeling ranks among the 53 (no bar).
// * latency_ms_p50: the model alone (kernel, in-process) for a 20-word sentence, batch 1, one thread.
// The model runs in-process through its kernel engine, batches of 64, MOODWIRE_EVAL_THREADS threads (default 1).

import { existsSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { LANGUAGE_EMOTION_LABELS, TOXICITY_LABELS, type LanguageEmotion } from "../src/protocol/index.js";
import { modelDirectory, sharedDirectory } from "../src/runtime/paths.js";
import { EMOTION_COUNT, LanguageEngine, SENTIMENT_COUNT, TOXICITY_COUNT } from "../src/models/language/kernel.js";
import { goEmotionsReadout, sst5Readout, type GoEmotionsReadout, type Sst5Readout } from "./readout.js";
import type { EvalResult } from "./main.js";
import { f1, median, parseCsv, parsePtb, rocAuc } from "./metrics.js";
import { neutralProbe } from "./neutral-probe.js";
import { situationProbe } from "./situation-probe.js";
import { progress } from "./report.js";

const BATCH = 64;

export interface TextScores {
  emotions: Float32Array;
  sentiment: Float32Array;
  toxicity: Float32Array;
}

/** Passage-level scores for each text; a text without words scores all zeros (sentiment: level 5). */
export async function scoreTexts(engine: LanguageEngine, texts: readonly string[], label?: string): Promise<TextScores[]> {
  const out: TextScores[] = [];
  const tick = label === undefined ? undefined : progress(label, texts.length);
  for (let i = 0; i < texts.length; i += BATCH) {
    const batch = texts.slice(i, i + BATCH).map((text) => ({ text, granularity: "passage" as const, sentiment: true, toxicity: true }));
    const outputs = await engine.run(batch);
    for (const output of outputs) {
      if (output.segments.length === 0) {
        const sentiment = new Float32Array(SENTIMENT_COUNT);
        sentiment[4] = 1;
        out.push({ emotions: new Float32Array(EMOTION_COUNT), sentiment, toxicity: new Float32Array(TOXICITY_COUNT) });
      } else {
        out.push({ emotions: output.emotions, sentiment: output.sentiment as Float32Array, toxicity: output.toxicity as Float32Array });
      }
    }
    tick?.(Math.min(texts.length, i + BATCH));
  }
  return out;
}

/** A labels.txt: one name per line, the line number being the label id. */
function labelList(path: string): string[] {
  return readFileSync(path, "utf8").split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== "");
}

function round(value: number, digits = 4): number | null {
  return Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : null;
}

async function goEmotions(engine: LanguageEngine, shared: string, readout: GoEmotionsReadout): Promise<EvalResult> {
  const dir = `${shared}data/text/goemotions/`;
  const names = labelList(`${dir}labels.txt`);
  const rows = readFileSync(`${dir}test.tsv`, "utf8").split(/\r?\n/).filter((line) => line.trim() !== "").map((line) => line.split("\t"));
  const texts = rows.map((r) => r[0] ?? "");
  const truth = rows.map((r) => new Set((r[1] ?? "").split(",").filter((s) => s !== "").map((s) => names[Number(s)] as string)));
  const scores = await scoreTexts(engine, texts, "goemotions");
  const predicted = scores.map((s) => readout.predict(s.emotions, s.sentiment));
  const perLabel: Record<string, number | null> = {};
  let sum = 0;
  for (const name of names) {
    const value = f1(truth.map((t) => t.has(name)), predicted.map((p) => p.has(name)));
    perLabel[name] = round(value);
    sum += value;
  }
  return { goemotions_macro_f1: round(sum / names.length), goemotions_n: texts.length, goemotions_per_label_f1: perLabel };
}

async function sst5(engine: LanguageEngine, shared: string, readout: Sst5Readout): Promise<EvalResult> {
  const lines = readFileSync(`${shared}data/text/sst5_ptb_trees/test.txt`, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  const trees = lines.map(parsePtb);
  const texts = trees.map((t) => readout.text(t));
  const scores = await scoreTexts(engine, texts, "sst5");
  let correct = 0;
  trees.forEach((tree, i) => {
    if (readout.classOf((scores[i] as TextScores).sentiment) === tree.label) correct++;
  });
  return { sst5_accuracy: round(correct / trees.length), sst5_n: trees.length };
}

async function jigsaw(engine: LanguageEngine, shared: string, raw: Record<string, unknown>): Promise<EvalResult> {
  const configured = (raw.jigsaw as Record<string, unknown> | undefined)?.holdout_ids_file;
  const idsFile = typeof configured === "string" && configured !== "" ? configured.replace(/^.*\//, "") : "jigsaw_holdout_ids.txt";
  const idsPath = `${modelDirectory("language")}${idsFile}`;
  if (!existsSync(idsPath)) return { jigsaw_skipped: `${idsPath} not found` };
  const holdout = new Set(readFileSync(idsPath, "utf8").split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== ""));
  const table = parseCsv(readFileSync(`${shared}data/text/jigsaw_toxic_subsets/jigsaw_subset_dedup.csv`, "utf8"));
  const header = table[0] as string[];
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`jigsaw csv lacks the column ${name}`);
    return index;
  };
  const idColumn = column("id");
  const textColumn = column("comment_text");
  const labelColumns = TOXICITY_LABELS.map(column);
  const rows = table.slice(1).filter((r) => holdout.has(r[idColumn] ?? ""));
  const scores = await scoreTexts(engine, rows.map((r) => r[textColumn] ?? ""), "jigsaw");
  const perLabel: Record<string, number | null> = {};
  const aucs: number[] = [];
  TOXICITY_LABELS.forEach((name, k) => {
    const truth = rows.map((r) => r[labelColumns[k] as number] === "1");
    const auc = rocAuc(truth, scores.map((s) => s.toxicity[k] as number));
    perLabel[name] = round(auc);
    if (Number.isFinite(auc)) aucs.push(auc);
  });
  return {
    jigsaw_mean_auc: round(aucs.reduce((a, b) => a + b, 0) / Math.max(1, aucs.length)),
    jigsaw_n: rows.length,
    jigsaw_holdout_ids: holdout.size,
    jigsaw_auc_per_label: perLabel,
  };
}

/**
 * Our outputs and the EmpatheticDialogues situation labels that mean them. Seed: outputs no dataset
 * labels, learned from seed phrases (config.json derived.weak_seed_labels) and the pseudo-labels mined
 * with their cues (derived.mined_cues); data: outputs learned from labelled data. Situations whose label
 * has no clear counterpart (surprised, which may be either valence; trusting, faithful, prepared,
 * anticipating, hopeful, caring, confident, lonely) are negatives only.
 */
const ED_WEAK: [LanguageEmotion, string[]][] = [
  ["Envy", ["jealous"]],
  ["Horror", ["terrified"]],
  ["Nostalgia", ["nostalgic", "sentimental"]],
  ["Shame", ["ashamed"]],
];
const ED_LEARNED: [LanguageEmotion, string[]][] = [
  ["Admiration", ["impressed"]],
  ["Anger", ["angry", "furious"]],
  ["Annoyance", ["annoyed"]],
  ["Anxiety", ["anxious", "apprehensive"]],
  ["Contentment", ["content"]],
  ["Disappointment", ["disappointed"]],
  ["Disgust", ["disgusted"]],
  ["Embarrassment", ["embarrassed"]],
  ["Excitement", ["excited"]],
  ["Fear", ["afraid"]],
  ["Gratitude", ["grateful"]],
  ["Guilt", ["guilty"]],
  ["Joy", ["joyful"]],
  ["Pride", ["proud"]],
  ["Sadness", ["sad", "devastated"]],
];

/** One-vs-rest AUC of each output against the situations labelled with one of its ED labels. */
export function labelAucs(pairs: readonly [LanguageEmotion, string[]][], labels: readonly string[], scores: readonly TextScores[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [emotion, names] of pairs) {
    const column = LANGUAGE_EMOTION_LABELS.indexOf(emotion);
    out[emotion] = round(rocAuc(labels.map((l) => names.includes(l)), scores.map((s) => s.emotions[column] as number)));
  }
  return out;
}

function mean(values: Record<string, number | null>): number | null {
  const finite = Object.values(values).filter((v): v is number => v !== null);
  return finite.length === 0 ? null : round(finite.reduce((a, b) => a + b, 0) / finite.length);
}

async function empatheticDialogues(engine: LanguageEngine, shared: string): Promise<EvalResult> {
  const dir = `${shared}data/text/empathetic_dialogues_situations/`;
  if (!existsSync(`${dir}test.csv`)) return { ed_skipped: `${dir}test.csv not found` };
  const names = labelList(`${dir}labels.txt`);
  const table = parseCsv(readFileSync(`${dir}test.csv`, "utf8"));
  const header = table[0] as string[];
  const rows = table.slice(1).filter((r) => r.length === header.length);
  const textColumn = header.indexOf("text");
  const labelColumn = header.indexOf("label");
  const labels = rows.map((r) => names[Number(r[labelColumn])] ?? "");
  const scores = await scoreTexts(engine, rows.map((r) => r[textColumn] ?? ""), "empathetic dialogues");
  const weak = labelAucs(ED_WEAK, labels, scores);
  const learned = labelAucs(ED_LEARNED, labels, scores);
  return {
    ed_weak_label_mean_auc: mean(weak),
    ed_learned_label_mean_auc: mean(learned),
    ed_mapped_label_mean_auc: mean({ ...weak, ...learned }),
    ed_n: rows.length,
    ed_weak_label_auc: weak,
    ed_learned_label_auc: learned,
  };
}

async function latency(): Promise<EvalResult> {
  const engine = await LanguageEngine.create({ intraOpThreads: 1 });
  const text = "I honestly did not expect the team to win tonight, but they played so well that everyone cheered very loudly.";
  const input = [{ text, granularity: "sentence" as const, sentiment: true, toxicity: true }];
  for (let i = 0; i < 10; i++) await engine.run(input);
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const start = performance.now();
    await engine.run(input);
    times.push(performance.now() - start);
  }
  await engine.close();
  return { latency_ms_p50: round(median(times), 3), latency_words: text.split(/\s+/).length };
}

export async function run(): Promise<EvalResult> {
  const shared = sharedDirectory();
  if (!existsSync(`${shared}data/text/`)) {
    const message = `shared data folder not found at ${shared} (set MOODWIRE_SHARED or pass --shared DIR); language evaluation skipped`;
    console.error(message);
    return { skipped: message };
  }
  if (!existsSync(`${modelDirectory("language")}language.onnx`)) {
    const message = `models/language/language.onnx not found; language evaluation skipped`;
    console.error(message);
    return { skipped: message };
  }
  const threads = Math.max(1, Math.min(2, Number(process.env.MOODWIRE_EVAL_THREADS ?? 1) || 1));
  const engine = await LanguageEngine.create({ intraOpThreads: threads });
  const raw = engine.config.raw;
  const result: EvalResult = { model: "language" };
  Object.assign(result, await goEmotions(engine, shared, goEmotionsReadout(raw)));
  Object.assign(result, await sst5(engine, shared, sst5Readout(raw)));
  Object.assign(result, await jigsaw(engine, shared, raw));
  Object.assign(result, await empatheticDialogues(engine, shared));
  Object.assign(result, await neutralProbe(engine));
  Object.assign(result, await situationProbe(engine));
  await engine.close();
  Object.assign(result, await latency());
  const figure = (name: string) => (typeof result[name] === "number" ? (result[name] as number) : -1);
  result.bars = {
    goemotions_macro_f1_ge_0_46: figure("goemotions_macro_f1") >= 0.46,
    sst5_accuracy_ge_0_50: figure("sst5_accuracy") >= 0.5,
    jigsaw_mean_auc_ge_0_95: figure("jigsaw_mean_auc") >= 0.95,
    ed_weak_label_mean_auc_ge_0_80: figure("ed_weak_label_mean_auc") >= 0.8,
    ed_mapped_label_mean_auc_ge_0_85: figure("ed_mapped_label_mean_auc") >= 0.85,
    neutral_sentence_top_median_le_0_15: figure("neutral_sentence_top_median") <= 0.15,
    neutral_word_top_median_le_0_10: figure("neutral_word_top_median") <= 0.1,
    neutral_word_top_p90_le_0_30: figure("neutral_word_top_p90") <= 0.3,
    neutral_sentence_commonest_top_share_le_0_25: figure("neutral_sentence_commonest_top_share") <= 0.25,
    latency_ms_p50_le_3: figure("latency_ms_p50") >= 0 && figure("latency_ms_p50") <= 3,
  };
  return result;
}
