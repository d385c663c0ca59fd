import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EXPRESSION_LABELS, FACE_DESCRIPTION_LABELS } from "../../protocol/index.js";
import { FACE_SIGNALS, type FaceSignal } from "./action-units.js";
import { describeFace, DESCRIPTION_FORMULAS } from "./descriptions.js";
import { EXPRESSION_FORMULAS, projectExpressions } from "./expressions.js";
import { FERPLUS_CLASSES, type FerPlusClass, type FormulaTable } from "./formulas.js";

const NEUTRAL = Float32Array.from(FERPLUS_CLASSES, (c) => (c === "neutral" ? 1 : 0));

function describeWith(units: Partial<Record<FaceSignal, number>>, classes = NEUTRAL): Map<string, number> {
  const out = describeFace(classes, Float32Array.from(FACE_SIGNALS, (s) => units[s] ?? 0));
  return new Map(FACE_DESCRIPTION_LABELS.map((label, i) => [label, out[i]!]));
}

/** A fixed pseudo-random sequence (tests stay deterministic). */
function sequence(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
}

describe("face descriptions and formulas", () => {
  it("are all 0 for a neutral face with no action units", () => {
    for (const [label, value] of describeWith({})) assert.equal(value, 0, label);
  });

  it("names the face by its units: Smile = AU12, Grin = AU12 + AU25, Squint = AU7 with AU6, Jaw drop = AU26", () => {
    const smile = describeWith({ "AU12 Lip Corner Puller": 0.9 });
    assert.ok(smile.get("Smile")! > 0.8 && smile.get("Grin") === 0);
    const grin = describeWith({ "AU12 Lip Corner Puller": 0.9, "AU25 Lips Part": 0.8 });
    assert.ok(grin.get("Grin")! > 0.8);
    assert.equal(describeWith({ "AU7 Lids Tight": 0.9 }).get("Squint"), 0);
    assert.ok(describeWith({ "AU7 Lids Tight": 0.9, "AU6 Cheek Raise": 0.7 }).get("Squint")! > 0.7);
    assert.ok(describeWith({ "AU26 Jaw Drop": 0.7 }).get("Jaw drop")! > 0.69);
    assert.ok(describeWith({ "AU9 Nose Wrinkle": 0.6 }).get("Wrinkled nose")! > 0.59);
    assert.ok(describeWith({ "AU43 Eye Closure": 0.95 }).get("Eyes closed")! > 0.94);
    const frown = describeWith({ "AU4 Brow Lowerer": 0.8 });
    assert.ok(frown.get("Frown")! > describeWith({ "AU4 Brow Lowerer": 0.8, "AU12 Lip Corner Puller": 0.9 }).get("Frown")!);
  });

  // Every formula must move the way its factors say, for descriptions and expressions alike.
  it("rise with every factor they name and fall with every factor they negate", () => {
    const next = sequence(42);
    const tables = [
      { labels: FACE_DESCRIPTION_LABELS as readonly string[], formulas: DESCRIPTION_FORMULAS as FormulaTable<string>, run: describeFace },
      { labels: EXPRESSION_LABELS as readonly string[], formulas: EXPRESSION_FORMULAS as FormulaTable<string>, run: projectExpressions },
    ];
    for (const { labels, formulas, run } of tables) {
      for (let trial = 0; trial < 50; trial++) {
        const classes = Float32Array.from(FERPLUS_CLASSES, () => next());
        const signals = Float32Array.from(FACE_SIGNALS, () => next());
        const base = run(classes, signals);
        for (const [k, name] of [...FERPLUS_CLASSES, ...FACE_SIGNALS].entries()) {
          const c = Float32Array.from(classes), s = Float32Array.from(signals);
          if (k < FERPLUS_CLASSES.length) c[k] = Math.min(1, c[k]! + 0.2);
          else s[k - FERPLUS_CLASSES.length] = Math.min(1, s[k - FERPLUS_CLASSES.length]! + 0.2);
          const raised = run(c, s);
          labels.forEach((label, i) => {
            const terms = formulas[label] ?? [];
            const negated = terms.some(([, ...factors]) => factors.includes(`not ${name}` as never));
            const named = terms.some(([, ...factors]) => factors.some((f) => f === name || (Array.isArray(f) && f.includes(name as FerPlusClass))));
            if (negated && !named) assert.ok(raised[i]! <= base[i]! + 1e-6, `${label} rose with ${name}`);
            if (named && !negated) assert.ok(raised[i]! >= base[i]! - 1e-6, `${label} fell with ${name}`);
          });
        }
      }
    }
  });

  it("uses only known classes and signals in every formula", () => {
    const known = new Set<string>([...FERPLUS_CLASSES, ...FACE_SIGNALS]);
    for (const table of [DESCRIPTION_FORMULAS, EXPRESSION_FORMULAS]) {
      for (const terms of Object.values(table)) {
        for (const [, ...factors] of terms ?? []) {
          const names: string[] = factors.flatMap((f): string[] => (typeof f === "string" ? [f.replace(/^not /, "")] : [...f]));
          for (const name of names) assert.ok(known.has(name), name);
        }
      }
    }
  });
});
