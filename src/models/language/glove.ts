// Inputs of the language graph's GloVe member (training/language/glove_member.py holds the same rules and
// writes the fixture that pins them): GloVe-style word tokens derived from the USE-lite pieces alone.
//
// * A piece whose vocabulary string starts with U+2581 opens a whitespace word (the first piece always
//   opens one); an unknown piece (id 0) stays in its word as one unknown token of its own.
// * A word's text is its pieces' strings joined (U+2581 dropped), ASCII-lowercased, U+2019 read as an
//   apostrophe and "n't" split off, then cut by TOKEN.
// * Graph inputs: glove_ids [B,W] (table row: 0 padding, 1 unknown, 2 + line of glove_vocab.txt),
//   glove_word [B,W] (each token's word, -1 for padding), piece_word [B,T] (each piece's word, -2 for padding).

import { readFileSync } from "node:fs";
import type { Vocabulary } from "./tokenizer.js";

const SEPARATOR = "\u2581";
const UNKNOWN_PIECE = 0;
const TOKEN = /n't|'[a-z]+|[a-z0-9]+(?:[.-][a-z0-9]+)*|[^\sa-z0-9]/gu;
const TO_LOWER = /[A-Z\u2019]/g;

export interface GloveRows {
  padding: number;
  unknown: number;
  firstWord: number;
}

/** GloVe-style tokens of a text. */
export function textTokens(text: string): string[] {
  const lowered = text.replace(TO_LOWER, (c) => (c === "\u2019" ? "'" : c.toLowerCase())).replaceAll("n't", " n't");
  return lowered.match(TOKEN) ?? [];
}

/** One sequence's GloVe member inputs, unpadded. */
export interface GloveSequence {
  /** Table row of each token. */
  ids: number[];
  /** Whitespace word of each token. */
  tokenWords: number[];
  /** Whitespace word of each piece. */
  pieceWords: number[];
}

export class GloveVocabulary {
  private readonly rowOf: Map<string, number>;

  constructor(
    words: readonly string[],
    private readonly pieces: Vocabulary,
    readonly rows: GloveRows,
  ) {
    this.rowOf = new Map(words.map((word, k) => [word, rows.firstWord + k]));
  }

  /** The GloVe inputs of one sequence of piece ids. */
  inputs(pieceIds: readonly number[]): GloveSequence {
    const out: GloveSequence = { ids: [], tokenWords: [], pieceWords: [] };
    let parts: Array<string | null> = [];
    let word = -1;
    const push = (token: string | null): void => {
      out.ids.push(token === null ? this.rows.unknown : (this.rowOf.get(token) ?? this.rows.unknown));
      out.tokenWords.push(word);
    };
    const flush = (): void => {
      let text = "";
      for (const part of parts) {
        if (part === null) {
          for (const token of textTokens(text)) push(token);
          push(null);
          text = "";
        } else {
          text += part;
        }
      }
      for (const token of textTokens(text)) push(token);
      parts = [];
    };
    for (const id of pieceIds) {
      let piece = this.pieces[id]?.[0] ?? "";
      const opens = piece.startsWith(SEPARATOR);
      if (opens || word < 0) {
        if (word >= 0) flush();
        word++;
        if (opens) piece = piece.slice(SEPARATOR.length);
      }
      parts.push(id === UNKNOWN_PIECE ? null : piece);
      out.pieceWords.push(word);
    }
    if (word >= 0) flush();
    return out;
  }
}

/** glove_vocab.txt: one word per line, line k = table row rows.firstWord + k. */
export function loadGloveVocabulary(path: string, pieces: Vocabulary, rows: GloveRows): GloveVocabulary {
  const words = readFileSync(path, "utf8").split("\n");
  if (words.at(-1) === "") words.pop();
  return new GloveVocabulary(words, pieces, rows);
}
