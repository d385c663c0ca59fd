// The language model's benchmark (`npm run bench -- text`), reached through languageModel.benchmark().
// The inputs are 64 distinct twenty-word English sentences: 8 templates (varied tone, punctuation and
// vocabulary) × 8 fillers of their one slot. Distinct inputs keep the model's outputs, and so the numbers
// the server formats, from repeating too often (V8 caches number→string conversions, which would flatter
// a benchmark that sends the same few sentences over and over).

import type { BenchmarkFigures, BenchmarkMessage, BenchmarkRunner, ModelBenchmark } from "../benchmark.js";
import createKernel from "./kernel.js";
import type { LanguageKernelInput } from "./kernel-types.js";

const TEMPLATES: readonly string[] = [
  "I honestly cannot believe how {} the concert was last night, and I would happily go again next week too.",
  "The train was late again this morning, so I missed the meeting and my manager was really {} with me.",
  "She smiled nervously before the interview, hoping her years of {} work would finally be noticed by the hiring panel.",
  "This is the most {} customer service I have ever experienced, and I am never ordering anything from them again.",
  "We spent a quiet afternoon by the lake, reading old letters and remembering the {} summers we shared as children.",
  "Thank you so much for the thoughtful gift; it made my birthday feel special after such a long, {} week.",
  "I am worried that the storm will damage the roof, because the repairs last year cost us far too {}.",
  "You are a complete idiot if you think anyone will believe that {} story about losing your maths homework again.",
];

const FILLERS: readonly (readonly string[])[] = [
  ["wonderful", "terrible", "loud", "moving", "boring", "magical", "chaotic", "beautiful"],
  ["annoyed", "disappointed", "angry", "understanding", "furious", "calm", "upset", "patient"],
  ["hard", "quiet", "careful", "lonely", "brilliant", "tedious", "honest", "creative"],
  ["rude", "helpful", "frustrating", "pleasant", "useless", "surprising", "disgusting", "friendly"],
  ["long", "happy", "golden", "rainy", "carefree", "lazy", "wild", "precious"],
  ["tiring", "stressful", "lonely", "exhausting", "miserable", "hectic", "gloomy", "difficult"],
  ["much", "little", "painful", "ridiculous", "scary", "unexpected", "annoying", "shocking"],
  ["ridiculous", "sad", "pathetic", "silly", "tragic", "stupid", "funny", "unbelievable"],
];

/** Interleaved so that consecutive requests use different templates. */
const SENTENCES: readonly string[] = FILLERS[0]!.flatMap((_, f) => TEMPLATES.map((template, t) => template.replace("{}", FILLERS[t]![f]!)));

const messages: BenchmarkMessage[] = SENTENCES.map((text) => ({ data: text, raw_text: true, models: { language: { granularity: "word", sentiment: {}, toxicity: {} } } }));

/** The worker kernel called directly in the calling thread: one intra-op thread, batch of one. */
async function kernelAlone(): Promise<BenchmarkRunner> {
  const kernel = createKernel();
  await kernel.load({ intraOpThreads: 1 });
  const inputs: LanguageKernelInput[] = SENTENCES.map((text) => ({ text, granularity: "word", sentiment: true, toxicity: true }));
  return {
    method: "language kernel (kernel.js) run([input]) in the bench process, 1 intra-op thread, batch of 1",
    run: (i) => kernel.run([inputs[i % inputs.length]!]),
    // A kernel has no close in its contract (its worker's exit frees it); the bench process's exit does here.
    close: async () => undefined,
  };
}

/** Issue 3's targets for the model, issue 4's for the server around it. */
function bars(figures: BenchmarkFigures): Record<string, boolean> {
  return {
    "issue3_model_p50_le_3ms": figures.modelP50Ms <= 3,
    "issue3_e2e_p50_le_10ms": figures.e2eP50Ms <= 10,
    "issue4_overhead_ratio_le_1.3": figures.overheadRatio <= 1.3,
    "issue4_throughput_ge_500_per_s": figures.throughputPerS >= 500,
    "issue4_event_loop_p99_le_50ms": figures.eventLoopP99Ms <= 50,
    "issue4_rss_growth_lt_50mb": figures.rssGrowthMb < 50,
  };
}

export const LANGUAGE_BENCHMARK: ModelBenchmark = {
  scenarios: ["text", "language"],
  messages,
  inputs: { text: `${SENTENCES.length} twenty-word English sentences, raw_text, language {granularity: word, sentiment, toxicity}` },
  modelAlone: kernelAlone,
  bars,
};
