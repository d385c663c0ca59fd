// Vocal-burst families: groups of YAMNet's AudioSet classes (Gemmeke et al. 2017 ontology, "Human
// voice" and "Respiratory sounds" branches) that are non-verbal vocalisations. A family's score in a
// patch is its strongest class's score. Thresholds are on YAMNet's own sigmoid scale (see
// models/burst/MODEL_CARD.md for how they were chosen, on speech we may use, never on the evaluation set).
// AudioSet has no class for yawns or "oh"/"ah" interjections, so those are not detected.

export const BURST_FAMILIES = ["laugh", "cry", "scream", "moan", "sigh", "groan", "gasp", "pant", "cough", "throat_clear", "sneeze"] as const;
export type BurstFamily = (typeof BURST_FAMILIES)[number];

export interface FamilySpec {
  /** YAMNet display names (yamnet_class_map.csv). */
  classes: readonly string[];
  /** An event starts at a patch scoring at least `on`, and lasts while patches score at least `off`. */
  on: number;
  off: number;
}

export const FAMILY_SPECS: Readonly<Record<BurstFamily, FamilySpec>> = {
  laugh: { classes: ["Laughter", "Baby laughter", "Giggle", "Snicker", "Belly laugh", "Chuckle, chortle"], on: 0.3, off: 0.15 },
  cry: { classes: ["Crying, sobbing", "Baby cry, infant cry", "Whimper"], on: 0.3, off: 0.15 },
  scream: { classes: ["Screaming"], on: 0.3, off: 0.15 },
  moan: { classes: ["Wail, moan"], on: 0.3, off: 0.15 },
  sigh: { classes: ["Sigh"], on: 0.3, off: 0.15 },
  // Grunts score up to 0.42 on plain speech (EmoDB's 99.9th percentile patch): start above that.
  groan: { classes: ["Groan", "Grunt"], on: 0.45, off: 0.225 },
  gasp: { classes: ["Gasp"], on: 0.3, off: 0.15 },
  pant: { classes: ["Pant", "Wheeze"], on: 0.3, off: 0.15 },
  cough: { classes: ["Cough"], on: 0.3, off: 0.15 },
  throat_clear: { classes: ["Throat clearing"], on: 0.3, off: 0.15 },
  sneeze: { classes: ["Sneeze", "Sniff"], on: 0.3, off: 0.15 },
};

/** For each family, the YAMNet output indices of its classes; throws when a class is not in the map. */
export function familyClassIndices(classNames: readonly string[]): number[][] {
  return BURST_FAMILIES.map((family) => FAMILY_SPECS[family].classes.map((name) => {
    const index = classNames.indexOf(name);
    if (index < 0) throw new Error(`YAMNet has no class '${name}' (burst family ${family})`);
    return index;
  }));
}

/** Family scores [patches × families] from YAMNet scores [patches × classCount]. */
export function familyScores(scores: Float32Array, classCount: number, indices: readonly (readonly number[])[]): Float32Array {
  const patches = scores.length / classCount;
  const out = new Float32Array(patches * indices.length);
  for (let p = 0; p < patches; p++) {
    indices.forEach((members, f) => {
      let best = 0;
      for (const k of members) best = Math.max(best, scores[p * classCount + k]!);
      out[p * indices.length + f] = best;
    });
  }
  return out;
}
