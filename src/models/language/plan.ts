// Turns a batch of language requests into token sequences with span rows for the graph, and combines the
// rows' scores back into per-unit outputs. Pure (no ONNX), so it is unit-tested on its own.
//
// * word granularity: one sequence per sentence, one row per word (every word of a sentence in context,
//   in a single pass); an overlong sentence is cut into chunks, and only chunks holding a word's first
//   piece run;
// * sentence / utterance / turn / passage: one sequence per unit with one row over all its tokens; a unit
//   longer than max_tokens is cut into sentences (and a sentence longer than that into chunks at word
//   starts) whose outputs are averaged weighted by token count, toxicity taking the maximum.

import { LANGUAGE_EMOTION_LABELS, SENTIMENT_LABELS, TOXICITY_LABELS } from "../../protocol/index.js";
import type { TokenizationConfig } from "./config.js";
import type { LanguageKernelInput, LanguageKernelOutput } from "./kernel-types.js";
import { segment, sentences, type Segment } from "./segment.js";
import type { SentencePieceTokenizer, Vocabulary } from "./tokenizer.js";

export const EMOTION_COUNT = LANGUAGE_EMOTION_LABELS.length;
export const SENTIMENT_COUNT = SENTIMENT_LABELS.length;
export const TOXICITY_COUNT = TOXICITY_LABELS.length;

/** A token sequence for the graph and the spans pooled over it. */
export interface Sequence {
  /** Graph ids, special tokens included. */
  ids: number[];
  /** Token ranges [start, end) in `ids`, one per output row. */
  rows: Array<[number, number]>;
}

/** One output row contributing to a unit. */
export interface Part {
  sequence: number;
  row: number;
  weight: number;
}

export interface PlannedItem {
  input: LanguageKernelInput;
  units: Segment[];
  /** Per unit, the rows it is made of. */
  parts: Part[][];
}

export interface Plan {
  sequences: Sequence[];
  items: PlannedItem[];
}

/** Scores of one sequence's rows, row-major. */
export interface RowScores {
  emotions: Float32Array;
  sentiment: Float32Array;
  toxicity: Float32Array;
}

interface Pieces {
  ids: number[];
  begins: number[];
  ends: number[];
  /** Whether each piece starts a word (its vocabulary string begins with U+2581). */
  wordStart: boolean[];
}

export class Planner {
  private readonly bodyLength: number;
  private readonly lead: number;
  private readonly pieceStartsWord: Uint8Array;
  /** Id of the bare U+2581 piece, which the training data counts as the start of the following word. */
  private readonly separatorId: number;

  constructor(
    private readonly tokenizer: SentencePieceTokenizer,
    vocabulary: Vocabulary,
    private readonly tok: TokenizationConfig,
  ) {
    this.lead = tok.bosId === null ? 0 : 1;
    this.bodyLength = tok.maxTokens - this.lead - (tok.eosId === null ? 0 : 1);
    this.pieceStartsWord = new Uint8Array(vocabulary.length);
    vocabulary.forEach(([piece], i) => {
      this.pieceStartsWord[i] = piece.startsWith("\u2581") ? 1 : 0;
    });
    this.separatorId = vocabulary.findIndex(([piece]) => piece === "\u2581");
  }

  plan(batch: readonly LanguageKernelInput[]): Plan {
    const sequences: Sequence[] = [];
    const items = batch.map((input): PlannedItem => {
      const { units } = segment(input.text, input.granularity);
      const parts =
        input.granularity === "word" ? this.planWords(input.text, units, sequences) : units.map((u) => this.planUnit(u.text, u.begin, sequences));
      // A unit can end up without tokens only if normalization erased it; such units are dropped.
      const kept = units.map((_, k) => k).filter((k) => (parts[k] as Part[]).length > 0);
      return { input, units: kept.map((k) => units[k] as Segment), parts: kept.map((k) => parts[k] as Part[]) };
    });
    return { sequences, items };
  }

  /** Pieces of `text`, positions shifted by `base` (the text's offset in the request). */
  private pieces(text: string, base: number): Pieces {
    const { ids, begins, ends } = this.tokenizer.tokenize(text);
    return {
      ids,
      begins: begins.map((b) => b + base),
      ends: ends.map((e) => e + base),
      wordStart: ids.map((id) => this.pieceStartsWord[id] === 1),
    };
  }

  /** Cuts pieces into chunks of at most bodyLength, preferring cuts before a word start. */
  private chunks(pieces: Pieces): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const n = pieces.ids.length;
    let start = 0;
    while (start < n) {
      let end = Math.min(n, start + this.bodyLength);
      if (end < n) {
        let cut = end;
        while (cut > start + 1 && !pieces.wordStart[cut]) cut--;
        if (cut > start + 1) end = cut;
      }
      out.push([start, end]);
      start = end;
    }
    return out;
  }

  private graphIds(pieces: Pieces, start: number, end: number): number[] {
    const ids: number[] = [];
    if (this.tok.bosId !== null) ids.push(this.tok.bosId);
    for (let i = start; i < end; i++) {
      const id = pieces.ids[i] as number;
      ids.push(id === 0 ? this.tok.unkId : id + this.tok.idOffset);
    }
    if (this.tok.eosId !== null) ids.push(this.tok.eosId);
    return ids;
  }

  /** Adds sequences for a whole unit; returns its parts (one row per chunk). */
  private planUnit(text: string, base: number, sequences: Sequence[]): Part[] {
    const pieces = this.pieces(text, base);
    if (pieces.ids.length === 0) return [];
    if (pieces.ids.length <= this.bodyLength) {
      sequences.push({ ids: this.graphIds(pieces, 0, pieces.ids.length), rows: [[this.lead, this.lead + pieces.ids.length]] });
      return [{ sequence: sequences.length - 1, row: 0, weight: pieces.ids.length }];
    }
    // Too long: per sentence, and per chunk within an overlong sentence.
    const parts: Part[] = [];
    for (const sentence of sentences(text)) {
      const sp = this.pieces(sentence.text, base + sentence.begin);
      for (const [start, end] of this.chunks(sp)) {
        sequences.push({ ids: this.graphIds(sp, start, end), rows: [[this.lead, this.lead + end - start]] });
        parts.push({ sequence: sequences.length - 1, row: 0, weight: end - start });
      }
    }
    return parts;
  }

  /**
   * Adds one sequence per sentence (per chunk holding a word's first piece) with a row per word; returns
   * each word's part, in order.
   */
  private planWords(text: string, words: Segment[], sequences: Sequence[]): Part[][] {
    const result: Part[][] = words.map(() => []);
    let w = 0;
    for (const sentence of sentences(text)) {
      while (w < words.length && (words[w] as Segment).end <= sentence.begin) w++;
      const first = w;
      while (w < words.length && (words[w] as Segment).end <= sentence.end) w++;
      if (w === first) continue;
      const pieces = this.pieces(sentence.text, sentence.begin);
      if (pieces.ids.length === 0) continue;
      const chunks = this.chunks(pieces);
      // A word's row lives in the chunk of its first piece, so a chunk in which no word starts (the rest of
      // an overlong word) would feed no row: its sequence is made only when its first row comes.
      const chunkSequence: Array<number | undefined> = chunks.map(() => undefined);
      const sequenceOf = (c: number): number => {
        const made = chunkSequence[c];
        if (made !== undefined) return made;
        const [start, end] = chunks[c] as [number, number];
        sequences.push({ ids: this.graphIds(pieces, start, end), rows: [] });
        chunkSequence[c] = sequences.length - 1;
        return sequences.length - 1;
      };
      let p = 0;
      for (let k = first; k < w; k++) {
        const word = words[k] as Segment;
        // Pieces overlapping the word: the first whose end passes the word's begin, up to the first
        // that starts at or after the word's end.
        while (p < pieces.ids.length && (pieces.ends[p] as number) <= word.begin) p++;
        let q = p;
        while (q < pieces.ids.length && (pieces.begins[q] as number) < word.end) q++;
        let lo = p;
        let hi = q;
        if (lo >= hi) {
          // No piece overlaps (not expected): take the nearest piece.
          lo = Math.min(Math.max(0, p - 1), pieces.ids.length - 1);
          hi = lo + 1;
        }
        // A bare U+2581 piece right before the word (as before an emoji or other <unk>) belongs to it, as in
        // the model's training spans (a word runs from a U+2581-initial piece to the next one).
        const c = chunks.findIndex(([start, end]) => lo >= start && lo < end);
        const [chunkStart, chunkEnd] = chunks[c] as [number, number];
        if (lo > chunkStart && pieces.ids[lo - 1] === this.separatorId && !pieces.wordStart[lo]) lo--;
        const index = sequenceOf(c);
        const sequence = sequences[index] as Sequence;
        sequence.rows.push([this.lead + lo - chunkStart, this.lead + Math.min(hi, chunkEnd) - chunkStart]);
        (result[k] as Part[]).push({ sequence: index, row: sequence.rows.length - 1, weight: 1 });
      }
    }
    // Words outside every sentence (not expected): predict them alone.
    words.forEach((word, k) => {
      if ((result[k] as Part[]).length === 0) result[k] = this.planUnit(word.text, word.begin, sequences);
    });
    return result;
  }
}

/**
 * Per-unit outputs from the rows' scores: emotions and sentiment are the weighted mean of the unit's rows,
 * toxicity their maximum.
 */
export function combine(plan: Plan, scores: readonly RowScores[]): LanguageKernelOutput[] {
  return plan.items.map(({ input, units, parts }) => {
    const n = units.length;
    const emotions = new Float32Array(n * EMOTION_COUNT);
    const sentiment = new Float32Array(n * SENTIMENT_COUNT);
    const toxicity = new Float32Array(n * TOXICITY_COUNT);
    parts.forEach((unitParts, u) => {
      const total = unitParts.reduce((sum, p) => sum + p.weight, 0) || 1;
      for (const part of unitParts) {
        const row = scores[part.sequence] as RowScores;
        const w = part.weight / total;
        for (let e = 0; e < EMOTION_COUNT; e++) {
          emotions[u * EMOTION_COUNT + e] = (emotions[u * EMOTION_COUNT + e] as number) + w * (row.emotions[part.row * EMOTION_COUNT + e] as number);
        }
        for (let e = 0; e < SENTIMENT_COUNT; e++) {
          sentiment[u * SENTIMENT_COUNT + e] =
            (sentiment[u * SENTIMENT_COUNT + e] as number) + w * (row.sentiment[part.row * SENTIMENT_COUNT + e] as number);
        }
        for (let e = 0; e < TOXICITY_COUNT; e++) {
          const value = row.toxicity[part.row * TOXICITY_COUNT + e] as number;
          if (value > (toxicity[u * TOXICITY_COUNT + e] as number)) toxicity[u * TOXICITY_COUNT + e] = value;
        }
      }
    });
    const output: LanguageKernelOutput = { segments: units, emotions };
    if (input.sentiment) output.sentiment = sentiment;
    if (input.toxicity) output.toxicity = toxicity;
    return output;
  });
}
