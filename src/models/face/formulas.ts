// The formula language of the face's derived outputs (the 48 expressions, the 27 descriptions): each
// output is a capped sum of weighted terms; a term is the geometric mean of its factors (high only when
// every one is), times 1 − x for each negated factor `not x` (a damper outside the root, so that a unit
// that is absent does not lift a weak one). A factor is a FER+ class probability, a face signal (an action
// unit, ./action-units.ts), or a list (the largest of its items: "AU6 or AU7"). Every output rises with
// each factor it names, and falls with each it negates.

import { FACE_SIGNALS, type FaceSignal } from "./action-units.js";

export const FERPLUS_CLASSES = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"] as const;
export type FerPlusClass = (typeof FERPLUS_CLASSES)[number];

type Source = FerPlusClass | FaceSignal;
export type Factor = Source | `not ${Source}` | readonly Source[];
export type Term = readonly [weight: number, ...factors: Factor[]];
export type FormulaTable<L extends string> = Readonly<Partial<Record<L, readonly Term[]>>>;

/** Where a factor's value is read: a class (index < 8) or a signal (8 + its index), possibly negated. */
interface CompiledFactor {
  sources: number[];
  negated: boolean;
}

const SOURCE_INDEX = new Map<string, number>([...FERPLUS_CLASSES.map((c, i) => [c, i] as const), ...FACE_SIGNALS.map((s, i) => [s, FERPLUS_CLASSES.length + i] as const)]);

function sourceIndex(name: string): number {
  const index = SOURCE_INDEX.get(name);
  if (index === undefined) throw new Error(`unknown formula factor '${name}'`);
  return index;
}

function compileFactor(factor: Factor): CompiledFactor {
  if (typeof factor !== "string") return { sources: factor.map(sourceIndex), negated: false };
  if (factor.startsWith("not ")) return { sources: [sourceIndex(factor.slice(4))], negated: true };
  return { sources: [sourceIndex(factor)], negated: false };
}

/** Evaluates a formula table for every label of `labels`, in that order (a label without terms: 0). */
export function compileFormulas<L extends string>(labels: readonly L[], table: FormulaTable<L>): (classes: ArrayLike<number>, signals: ArrayLike<number>) => Float32Array {
  const compiled = labels.map((label) => (table[label] ?? []).map(([weight, ...factors]) => {
    const parsed = factors.map(compileFactor);
    return { weight, factors: parsed, named: Math.max(1, parsed.filter((f) => !f.negated).length) };
  }));
  const classCount = FERPLUS_CLASSES.length;
  return (classes, signals) => {
    const read = (index: number) => (index < classCount ? classes[index]! : signals[index - classCount]!);
    return Float32Array.from(compiled, (terms) => {
      let sum = 0;
      for (const { weight, factors, named } of terms) {
        let product = 1, damper = 1;
        for (const { sources, negated } of factors) {
          const value = Math.max(...sources.map(read));
          if (negated) damper *= 1 - value;
          else product *= value;
        }
        sum += weight * Math.pow(Math.max(0, product), 1 / named) * damper;
      }
      return Math.min(1, sum);
    });
  };
}
