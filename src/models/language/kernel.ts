// The language model's compute, run inside a worker thread (or in-process by the evaluation).
//
// A batch of requests becomes one set of token sequences with span rows (./plan.ts): the graph mean-pools
// its contextual token states over each row (span_mask) and applies the heads. All sequences of a batch go
// through the graph in one run, padded to the longest (split only when the batch would make too large a
// tensor).

import { existsSync } from "node:fs";
import { InferenceSession, Tensor } from "onnxruntime-node";
import type { Kernel, KernelFactory, KernelOptions } from "../../runtime/kernel.js";
import { modelDirectory } from "../../runtime/paths.js";
import { loadConfig, MODEL_FILE, type LanguageModelConfig } from "./config.js";
import type { LanguageKernelInput, LanguageKernelOutput } from "./kernel-types.js";
import { combine, EMOTION_COUNT, Planner, SENTIMENT_COUNT, TOXICITY_COUNT, type RowScores, type Sequence } from "./plan.js";
import { loadGloveVocabulary, type GloveVocabulary } from "./glove.js";
import { SentencePieceTokenizer } from "./tokenizer.js";
import { loadVocabulary } from "./vocab.js";
import { sessionOptions } from "../../runtime/session-options.js";

export { EMOTION_COUNT, SENTIMENT_COUNT, TOXICITY_COUNT };

/** Largest B×T of one graph run; bigger batches are split into several runs. */
const TOKEN_BUDGET = 16_384;
/** Largest B×S×T (span_mask elements) of one graph run. */
const SPAN_BUDGET = 4_000_000;
/** The inputs of a graph with a GloVe member (glove.ts). */
const GLOVE_INPUTS = ["glove_ids", "glove_word", "piece_word"];

export class LanguageEngine {
  private constructor(
    readonly config: LanguageModelConfig,
    private readonly planner: Planner,
    private readonly session: InferenceSession,
    private readonly glove: GloveVocabulary | null,
  ) {}

  static async create(options: KernelOptions & { directory?: string }): Promise<LanguageEngine> {
    const directory = options.directory ?? modelDirectory("language");
    const path = `${directory}${MODEL_FILE}`;
    if (!existsSync(path)) throw new Error(`language model weights not found at ${path}`);
    const config = loadConfig(directory);
    const vocabulary = loadVocabulary();
    const tokenizer = new SentencePieceTokenizer(vocabulary, config.tokenization.reserved);
    // Texts range from one word to the length limit: the arena would keep the longest batch for good.
    const session = await InferenceSession.create(path, sessionOptions(options.intraOpThreads, { memoryArena: false }));
    for (const name of ["token_ids", "token_mask", "span_mask"]) {
      if (!session.inputNames.includes(name)) throw new Error(`language.onnx lacks the input '${name}'`);
    }
    for (const name of ["emotions", "sentiment", "toxicity"]) {
      if (!session.outputNames.includes(name)) throw new Error(`language.onnx lacks the output '${name}'`);
    }
    const gloveInputs = GLOVE_INPUTS.filter((name) => session.inputNames.includes(name)).length;
    if (gloveInputs !== (config.glove === null ? 0 : GLOVE_INPUTS.length)) {
      throw new Error(`language.onnx and config.json disagree on the GloVe member (inputs ${GLOVE_INPUTS.join(", ")} and config.json "glove" go together)`);
    }
    const glove = config.glove === null ? null : loadGloveVocabulary(`${directory}${config.glove.vocabFile}`, vocabulary, config.glove.rows);
    return new LanguageEngine(config, new Planner(tokenizer, vocabulary, config.tokenization), session, glove);
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  async run(batch: LanguageKernelInput[]): Promise<LanguageKernelOutput[]> {
    const plan = this.planner.plan(batch);
    const scores = plan.sequences.length > 0 ? await this.score(plan.sequences) : [];
    return combine(plan, scores);
  }

  /** Runs every sequence through the graph; returns the scores of each sequence's rows. */
  private async score(sequences: Sequence[]): Promise<RowScores[]> {
    const results = new Array<RowScores>(sequences.length);
    const length = (k: number): number => (sequences[k] as Sequence).ids.length;
    const order = sequences.map((_, k) => k).sort((a, b) => length(b) - length(a));
    let i = 0;
    while (i < order.length) {
      const first = sequences[order[i] as number] as Sequence;
      const T = first.ids.length;
      let S = Math.max(1, first.rows.length);
      let j = i + 1;
      while (j < order.length) {
        const s = Math.max(S, (sequences[order[j] as number] as Sequence).rows.length);
        const B = j - i + 1;
        if (B * T > TOKEN_BUDGET || B * s * T > SPAN_BUDGET) break;
        S = s;
        j++;
      }
      const group = order.slice(i, j);
      const scores = await this.runGroup(group.map((k) => sequences[k] as Sequence), T, S);
      group.forEach((k, g) => {
        results[k] = scores[g] as RowScores;
      });
      i = j;
    }
    return results;
  }

  private async runGroup(group: Sequence[], T: number, S: number): Promise<RowScores[]> {
    const B = group.length;
    const pad = BigInt(this.config.tokenization.padId);
    const tokenIds = new BigInt64Array(B * T).fill(pad);
    const tokenMask = new Float32Array(B * T);
    const spanMask = new Float32Array(B * S * T);
    group.forEach((sequence, b) => {
      sequence.ids.forEach((id, t) => {
        tokenIds[b * T + t] = BigInt(id);
        tokenMask[b * T + t] = 1;
      });
      for (let s = 0; s < S; s++) {
        const row = sequence.rows[s];
        const offset = (b * S + s) * T;
        if (row === undefined) {
          spanMask[offset] = 1; // padding row: one real token keeps the pooling finite; discarded
          continue;
        }
        spanMask.fill(1, offset + row[0], offset + row[1]);
      }
    });
    const outputs = await this.session.run({
      token_ids: new Tensor("int64", tokenIds, [B, T]),
      token_mask: new Tensor("float32", tokenMask, [B, T]),
      span_mask: new Tensor("float32", spanMask, [B, S, T]),
      ...(this.glove === null ? {} : this.gloveFeeds(this.glove, group, T)),
    });
    const emotions = outputs.emotions?.data;
    const sentiment = outputs.sentiment?.data;
    const toxicity = outputs.toxicity?.data;
    if (!(emotions instanceof Float32Array && sentiment instanceof Float32Array && toxicity instanceof Float32Array)) {
      throw new Error("language.onnx did not return float32 scores");
    }
    return group.map((sequence, b) => {
      const rows = sequence.rows.length;
      return {
        emotions: emotions.slice(b * S * EMOTION_COUNT, (b * S + rows) * EMOTION_COUNT),
        sentiment: sentiment.slice(b * S * SENTIMENT_COUNT, (b * S + rows) * SENTIMENT_COUNT),
        toxicity: toxicity.slice(b * S * TOXICITY_COUNT, (b * S + rows) * TOXICITY_COUNT),
      };
    });
  }

  /** glove_ids, glove_word and piece_word of a group of sequences padded to T pieces. */
  private gloveFeeds(glove: GloveVocabulary, group: Sequence[], T: number): Record<string, Tensor> {
    const offset = this.config.tokenization.idOffset;
    const inputs = group.map((sequence) => glove.inputs(sequence.ids.map((id) => id - offset)));
    const B = group.length;
    const W = Math.max(1, ...inputs.map((g) => g.ids.length));
    const ids = new BigInt64Array(B * W).fill(BigInt(glove.rows.padding));
    const tokenWords = new BigInt64Array(B * W).fill(-1n);
    const pieceWords = new BigInt64Array(B * T).fill(-2n);
    inputs.forEach((g, b) => {
      g.ids.forEach((row, w) => {
        ids[b * W + w] = BigInt(row);
        tokenWords[b * W + w] = BigInt(g.tokenWords[w] as number);
      });
      g.pieceWords.forEach((word, t) => {
        pieceWords[b * T + t] = BigInt(word);
      });
    });
    return {
      glove_ids: new Tensor("int64", ids, [B, W]),
      glove_word: new Tensor("int64", tokenWords, [B, W]),
      piece_word: new Tensor("int64", pieceWords, [B, T]),
    };
  }
}

/** The text of the warm-up inference each kernel runs once after loading. */
export const WARM_UP_TEXT = "Thank you, this is wonderful news. I was worried.";

class LanguageKernel implements Kernel<LanguageKernelInput, LanguageKernelOutput> {
  private engine: LanguageEngine | null = null;

  async load(options: KernelOptions): Promise<void> {
    this.engine = await LanguageEngine.create(options);
    await this.engine.run([{ text: WARM_UP_TEXT, granularity: "word", sentiment: true, toxicity: true }]);
  }

  async run(batch: LanguageKernelInput[]): Promise<LanguageKernelOutput[]> {
    if (this.engine === null) throw new Error("the language kernel is not loaded");
    return this.engine.run(batch);
  }
}

const factory: KernelFactory<LanguageKernelInput, LanguageKernelOutput> = () => new LanguageKernel();
export default factory;
