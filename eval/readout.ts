// Reads benchmark labels back from the model's outputs, as models/language/config.json prescribes
// (the mapping and thresholds there were chosen on DEV data by the training run; nothing here is tuned).

import { LANGUAGE_EMOTION_LABELS } from "../src/protocol/index.js";
import { detokenize, ptbLeaves, ptbText, type PtbTree } from "./metrics.js";

export interface GoEmotionsReadout {
  /** The GoEmotions labels predicted for one text. */
  predict(emotions: Float32Array, sentiment: Float32Array): Set<string>;
}

export interface Sst5Readout {
  text(tree: PtbTree): string;
  /** SST class 0..4 from the 9-level sentiment distribution. */
  classOf(sentiment: Float32Array): number;
}

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function section(raw: Json, name: string): Json {
  const evalSection = record(raw.eval ?? raw.evaluation);
  const found = record(raw[name] ?? evalSection[name]);
  if (Object.keys(found).length === 0) throw new Error(`models/language/config.json has no '${name}' section`);
  return found;
}

const EMOTION_INDEX = new Map<string, number>(LANGUAGE_EMOTION_LABELS.map((name, i) => [name, i]));

function emotionIndex(name: string): number {
  const index = EMOTION_INDEX.get(name);
  if (index === undefined) throw new Error(`config.json maps to an unknown emotion '${name}'`);
  return index;
}

/** A source list ["Joy", "Excitement"] or weights {"Joy": 1, "Excitement": 0.5} as (index, weight) pairs. */
function sources(value: unknown): Array<[number, number]> {
  if (Array.isArray(value)) return value.map((name) => [emotionIndex(String(name)), 1]);
  if (typeof value === "string") return [[emotionIndex(value), 1]];
  return Object.entries(record(value)).map(([name, weight]) => [emotionIndex(name), Number(weight)]);
}

/**
 * CONTRACT.md: `goemotions: {labels, mapping: {ge_label: {op: "max"|"sum"|"one_minus_max", labels}}, thresholds}`.
 * A GoEmotions label is predicted iff op over the named emotion outputs is >= its threshold.
 */
export function goEmotionsReadout(raw: Json): GoEmotionsReadout {
  const config = section(raw, "goemotions");
  const mapping = record(config.mapping);
  const labels = Array.isArray(config.labels) ? config.labels.map(String) : Object.keys(mapping);
  const thresholds = config.thresholds;
  const entries = labels.map((label, i) => {
    const rule = mapping[label];
    let op = "max";
    let indices: number[];
    if (Array.isArray(rule) || typeof rule === "string") {
      indices = sources(rule).map(([index]) => index);
    } else {
      const r = record(rule);
      if (r.labels === undefined) throw new Error(`config.json goemotions: no mapping for '${label}'`);
      op = String(r.op ?? "max");
      indices = sources(r.labels).map(([index]) => index);
    }
    if (!["max", "sum", "mean", "one_minus_max"].includes(op)) throw new Error(`config.json goemotions: unknown op '${op}' for '${label}'`);
    const t = Array.isArray(thresholds) ? thresholds[i] : record(thresholds)[label];
    if (typeof t !== "number") throw new Error(`config.json goemotions: no threshold for '${label}'`);
    return { label, op, indices, threshold: t };
  });
  return {
    predict(emotions: Float32Array): Set<string> {
      const out = new Set<string>();
      for (const { label, op, indices, threshold } of entries) {
        const values = indices.map((index) => emotions[index] as number);
        let score: number;
        if (op === "sum") score = values.reduce((a, b) => a + b, 0);
        else if (op === "mean") score = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
        else if (op === "one_minus_max") score = 1 - Math.max(0, ...values);
        else score = Math.max(0, ...values);
        if (score >= threshold) out.add(label);
      }
      return out;
    },
  };
}

function levelGroups(value: unknown): number[][] | null {
  if (!Array.isArray(value) || value.length !== 5 || !value.every((g) => Array.isArray(g))) return null;
  return (value as unknown[][]).map((g) => g.map(Number));
}

function numbers(value: unknown, length: number): number[] | null {
  if (!Array.isArray(value) || value.length !== length || !value.every((v) => typeof v === "number")) return null;
  return value as number[];
}

/**
 * CONTRACT.md / config.json: `sst5_fold` says how the 9-level distribution becomes an SST class 0..4:
 * * `{method: "expected_level_cutpoints", cutpoints: [4]}`: E = sum_l l·p_l over levels 1..9; the class is
 *   the number of cut points strictly below E;
 * * `{method: "mass"}`: class k scores p[level 2k+1] + 0.5·p[level 2k] + 0.5·p[level 2k+2]; argmax;
 * * `{method: "linear", weights: [5][9], bias: [5]}`: class k scores bias[k] + Σ_l weights[k][l-1]·p_l; argmax;
 * * level groups `{groups: [[1, 2], …]}`: the class whose levels hold the most mass.
 * `sst_detokenize.replace_in_order` holds the [from, to] rules that turned PTB leaves into training text.
 */
export function sst5Readout(raw: Json): Sst5Readout {
  const fold = record(raw.sst5_fold ?? record(raw.sst5).fold);
  const method = String(fold.method ?? "");
  const groups = levelGroups(fold.groups) ?? levelGroups(fold.bins);
  const cutpoints = numbers(fold.cutpoints, 4);
  let classOf: (sentiment: Float32Array) => number;
  if (method === "expected_level_cutpoints" || (method === "" && cutpoints !== null)) {
    if (cutpoints === null) throw new Error("config.json sst5_fold: expected_level_cutpoints without 4 cutpoints");
    classOf = (p) => {
      let expected = 0;
      p.forEach((value, i) => {
        expected += value * (i + 1);
      });
      return cutpoints.filter((c) => c < expected).length;
    };
  } else if (method === "linear") {
    const weights = Array.isArray(fold.weights) && fold.weights.length === 5 ? fold.weights.map((row) => numbers(row, 9)) : [];
    const bias = numbers(fold.bias, 5);
    if (bias === null || weights.length !== 5 || weights.some((row) => row === null)) {
      throw new Error("config.json sst5_fold: linear needs weights [5][9] and bias [5]");
    }
    const rows = weights as number[][];
    classOf = (p) => argmax(bias.map((b, k) => rows[k]!.reduce((sum, w, l) => sum + w * at(p, l), b)));
  } else if (method === "mass") {
    classOf = (p) => argmax([0, 1, 2, 3, 4].map((k) => at(p, 2 * k) + 0.5 * at(p, 2 * k - 1) + 0.5 * at(p, 2 * k + 1)));
  } else if (groups !== null) {
    classOf = (p) => argmax(groups.map((levels) => levels.reduce((sum, level) => sum + at(p, level - 1), 0)));
  } else {
    throw new Error(`config.json sst5_fold: unsupported form ${JSON.stringify(raw.sst5_fold)}`);
  }
  const detok = record(raw.sst_detokenize);
  const rulesRaw = Array.isArray(raw.sst_detokenize) ? raw.sst_detokenize : (detok.replace_in_order ?? detok.rules);
  const rules = Array.isArray(rulesRaw) ? rulesRaw.map((r) => [String((r as unknown[])[0]), String((r as unknown[])[1])] as [string, string]) : null;
  return {
    text: (tree) => (rules === null ? ptbText(tree) : detokenize(ptbLeaves(tree), rules)),
    classOf,
  };
}

/** p[i], or 0 outside the distribution. */
function at(p: Float32Array, i: number): number {
  return i >= 0 && i < p.length ? (p[i] as number) : 0;
}

/** Index of the largest value; the first on ties. */
export function argmax(values: readonly number[]): number {
  let best = 0;
  values.forEach((v, i) => {
    if (v > (values[best] as number)) best = i;
  });
  return best;
}
