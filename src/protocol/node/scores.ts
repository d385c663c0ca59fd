// Scores as models build them: `{ name, score }` items that carry their label's bytes for the reply
// writer (./serialize.ts), which then skips the key check and label lookup that a plain object needs
// (~1,400 of them in a 20-word word-level language reply).

import type { Score } from "../types.js";
import { utf8Cache } from "./utf8-cache.js";

/** `{"name":<name>,"score":` as UTF-8, encoded once per label. */
export const scorePrefix = utf8Cache((name) => `{"name":${JSON.stringify(name)},"score":`);

/**
 * One score of a model's label list. JSON.stringify writes it as it writes a plain Score (the prefix is
 * a private field, invisible to it), and the reply writer trusts an instance to have no other keys.
 */
export class LabelScore implements Score {
  readonly #prefix: Buffer;

  constructor(
    readonly name: string,
    readonly score: number,
    prefix: Buffer = scorePrefix(name),
  ) {
    this.#prefix = prefix;
  }

  /** This score's `{"name":…,"score":` bytes. */
  get prefix(): Buffer {
    return this.#prefix;
  }
}

const listPrefixes = new WeakMap<readonly string[], Buffer[]>();

/** The scores of one row of a row-major matrix with one column per label: labels[i] gets values[row × n + i]. */
export function labelScores(labels: readonly string[], values: ArrayLike<number>, row: number): LabelScore[] {
  let listed = listPrefixes.get(labels);
  if (listed === undefined) {
    listed = labels.map(scorePrefix);
    listPrefixes.set(labels, listed);
  }
  const base = row * labels.length;
  return labels.map((name, i) => new LabelScore(name, values[base + i] as number, (listed as Buffer[])[i]));
}
