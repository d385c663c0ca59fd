// The neutral-text probe: plain, unemotional sentences written for this check (instructions, facts,
// schedules, names in everyday context; none of them from a dataset or an issue). A model whose scores
// mean what their names say rates them low on every label, at sentence and at word level, and no label
// is their usual top. Issue 19's bars: median top score per sentence ≤ 0.15, per word ≤ 0.10, p90 per
// word ≤ 0.30, and no label on top of more than a quarter of the sentences.

import { LANGUAGE_EMOTION_LABELS } from "../src/protocol/index.js";
import { EMOTION_COUNT, type LanguageEngine } from "../src/models/language/kernel.js";
import { percentileSorted } from "../bench/stats.js";
import { round4 } from "./metrics.js";

export const NEUTRAL_SENTENCES: readonly string[] = [
  "The meeting is scheduled for Tuesday at ten.",
  "Please close the window before you leave the room.",
  "The library opens at nine on weekdays.",
  "Tom parked the car next to the garage.",
  "The report has twelve pages and two tables.",
  "Add the flour to the bowl and stir.",
  "The train to Leeds departs from platform four.",
  "She moved the chairs into the kitchen.",
  "The package arrived on Monday afternoon.",
  "Our office is on the third floor of the building.",
  "The river runs along the east side of the town.",
  "He wrote the phone number on a piece of paper.",
  "The store sells bread, milk and eggs.",
  "Turn left at the second traffic light.",
  "The file is saved in the documents folder.",
  "Anna teaches mathematics at the local school.",
  "The bus stops here every fifteen minutes.",
  "The table is made of oak.",
  "We need three more boxes for the books.",
  "The museum is closed on public holidays.",
  "Peter called the office at noon.",
  "The printer on the second floor uses A4 paper.",
  "The form asks for your name and address.",
  "Rain is expected in the north tomorrow.",
  "The garden has a fence along the back.",
  "The password must contain at least eight characters.",
  "The cat sleeps on the sofa in the afternoon.",
  "Lunch is served between twelve and two.",
  "John and Maria live on Elm Street.",
  "The software update will install overnight.",
  "The recipe calls for two cups of rice.",
  "The keys are in the top drawer.",
  "The conference room has a projector and a whiteboard.",
  "Water boils at one hundred degrees Celsius.",
  "The road to the village is ten kilometres long.",
  "David bought a new notebook and a pen.",
  "The shop on the corner sells newspapers.",
  "The schedule lists the times for each session.",
  "The bridge was built in the nineteenth century.",
  "Send the slides to Laura before the call.",
];

export interface NeutralFigures {
  /** Median over rows of the row's highest score. */
  topMedian: number;
  /** 90th percentile over rows of the row's highest score. */
  topP90: number;
  /** Share of rows above 0.3 on some label. */
  shareAbove03: number;
  /** The label on top of the most rows, and the share of rows it tops. */
  commonestTop: string;
  commonestTopShare: number;
  rows: number;
}

/** Figures of the top score of each row of `emotions` (rows × EMOTION_COUNT). */
export function topScoreFigures(emotions: Float32Array): NeutralFigures {
  const rows = emotions.length / EMOTION_COUNT;
  const tops: number[] = [];
  const topCounts = new Map<string, number>();
  for (let r = 0; r < rows; r++) {
    const row = emotions.subarray(r * EMOTION_COUNT, (r + 1) * EMOTION_COUNT);
    let best = 0;
    for (let k = 1; k < EMOTION_COUNT; k++) if (row[k]! > row[best]!) best = k;
    tops.push(row[best]!);
    const label = LANGUAGE_EMOTION_LABELS[best]!;
    topCounts.set(label, (topCounts.get(label) ?? 0) + 1);
  }
  const sorted = [...tops].sort((a, b) => a - b);
  const [commonestTop, count] = [...topCounts].sort((a, b) => b[1] - a[1])[0] ?? ["none", 0];
  return {
    topMedian: percentileSorted(sorted, 50),
    topP90: percentileSorted(sorted, 90),
    shareAbove03: tops.filter((t) => t > 0.3).length / Math.max(1, rows),
    commonestTop,
    commonestTopShare: count / Math.max(1, rows),
    rows,
  };
}

/** The probe's figures at sentence and word level (word: every word of every sentence, in context). */
export async function neutralProbe(engine: LanguageEngine): Promise<Record<string, unknown>> {
  const run = async (granularity: "sentence" | "word"): Promise<NeutralFigures> => {
    const outputs = await engine.run(NEUTRAL_SENTENCES.map((text) => ({ text, granularity, sentiment: false, toxicity: false })));
    const rows = outputs.flatMap((o) => [...o.emotions]);
    return topScoreFigures(Float32Array.from(rows));
  };
  const sentence = await run("sentence");
  const word = await run("word");
  return {
    neutral_sentences: sentence.rows,
    neutral_words: word.rows,
    neutral_sentence_top_median: round4(sentence.topMedian),
    neutral_sentence_top_p90: round4(sentence.topP90),
    neutral_sentence_commonest_top: sentence.commonestTop,
    neutral_sentence_commonest_top_share: round4(sentence.commonestTopShare),
    neutral_word_top_median: round4(word.topMedian),
    neutral_word_top_p90: round4(word.topP90),
    neutral_word_share_above_0_3: round4(word.shareAbove03),
    neutral_word_commonest_top: word.commonestTop,
  };
}
