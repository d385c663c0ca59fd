// The situation probe: short first-person situations written for this check, each with the feeling it would
// show, none naming that feeling (none from a dataset or an issue). Users describe what happened far more often
// than they name how they feel; a model whose labels carry across domains ranks the situation's label near the
// top. Reported (no bar): the share of situations whose label is among the top three of the 53, and the
// median rank, for all situations and for the seed-prototype labels alone.

import { LANGUAGE_EMOTION_LABELS, type LanguageEmotion } from "../src/protocol/index.js";
import type { LanguageEngine } from "../src/models/language/kernel.js";
import { median, round4 } from "./metrics.js";

export const SITUATIONS: readonly [LanguageEmotion, string][] = [
  ["Anxiety", "I have a job interview tomorrow and I keep going over everything that could go wrong."],
  ["Anxiety", "My test results come back on Monday and I can't sleep."],
  ["Fear", "Someone was trying to open our back door in the middle of the night."],
  ["Fear", "The plane shook so hard that the oxygen masks dropped down."],
  ["Sadness", "My dog died this morning and the house feels empty."],
  ["Sadness", "My best friend moved across the country and I miss her every day."],
  ["Anger", "The mechanic charged me twice for a repair he never even did."],
  ["Anger", "My roommate ate my food again and then lied to my face about it."],
  ["Joy", "We found out today that we are having a baby!"],
  ["Joy", "I passed my driving test on the first try!"],
  ["Disgust", "There was a hair and a dead fly in the soup they served me."],
  ["Disgust", "The guy next to me on the bus kept picking his nose and wiping it on the seat."],
  ["Gratitude", "My neighbour shovelled my driveway while I was in hospital."],
  ["Gratitude", "A stranger paid for my groceries when my card was declined."],
  ["Pride", "My daughter graduated top of her class today."],
  ["Pride", "I finally finished building the boat I started three years ago."],
  ["Envy", "My sister got the promotion I wanted, and now everyone keeps praising her."],
  ["Envy", "My neighbour bought a brand-new sports car and I wish it were mine."],
  ["Horror", "We drove past the crash and saw bodies lying on the road."],
  ["Horror", "The basement was full of blood and nobody could tell us what happened."],
  ["Nostalgia", "Looking through old photos of my grandparents' farm took me back to summers as a kid."],
  ["Nostalgia", "I found my first video game console in the attic and remembered every weekend we spent playing it."],
  ["Shame", "I was caught cheating on the exam in front of the whole class."],
  ["Shame", "I yelled at my mother in front of her friends and everyone went quiet."],
];

/** Labels learned from seed phrases and mined pseudo-labels (no dataset annotates them). */
const SEED_LABELS: ReadonlySet<LanguageEmotion> = new Set(["Envy", "Horror", "Nostalgia", "Shame"]);

/** 1-based rank of `label` among the 53 scores of one sentence (1 = the highest). */
export function rankOf(emotions: ArrayLike<number>, label: LanguageEmotion): number {
  const own = emotions[LANGUAGE_EMOTION_LABELS.indexOf(label)] as number;
  let above = 0;
  for (let k = 0; k < LANGUAGE_EMOTION_LABELS.length; k++) if ((emotions[k] as number) > own) above++;
  return above + 1;
}

function figures(ranks: number[]): { top3: number; medianRank: number } {
  return { top3: round4(ranks.filter((r) => r <= 3).length / Math.max(1, ranks.length)), medianRank: median(ranks) };
}

export async function situationProbe(engine: LanguageEngine): Promise<Record<string, unknown>> {
  const labels = SITUATIONS.map(([label]) => label);
  const outputs = await engine.run(SITUATIONS.map(([, text]) => ({ text, granularity: "sentence" as const, sentiment: false, toxicity: false })));
  const ranks = outputs.map((o, i) => rankOf(o.emotions, labels[i] as LanguageEmotion));
  const all = figures(ranks);
  const seed = figures(ranks.filter((_, i) => SEED_LABELS.has(labels[i] as LanguageEmotion)));
  return {
    situations: SITUATIONS.length,
    situation_top3_share: all.top3,
    situation_median_rank: all.medianRank,
    situation_seed_label_top3_share: seed.top3,
    situation_seed_label_median_rank: seed.medianRank,
  };
}
