// Splits text into the units of the language model's granularities (spec §2.2): words, sentences
// (= utterances for text), conversational turns (lines) and the passage. Every position is in Unicode
// code points, begin inclusive and end exclusive, so `[...text].slice(begin, end).join("") === segment.text`.

import type { LanguageGranularity } from "../../protocol/index.js";

export interface Segment {
  text: string;
  begin: number;
  end: number;
}

const WHITESPACE = /^[\s\u200B\u2060\uFEFF]$/u;
const LINE_BREAK = /^[\n\r\u000B\u000C\u0085\u2028\u2029]$/u;
const PUNCTUATION = /^\p{P}$/u;
/** Leading marks kept on a word (hashtags, mentions). */
const KEEP_LEADING = new Set(["#", "@"]);
/** Trailing marks kept on a word. */
const KEEP_TRAILING = new Set(["%"]);
/** Dashes that separate words even without spaces ("this—that"). */
const WORD_DASHES = new Set(["\u2014", "\u2013", "\u2015"]);
const EMOTICON = /^(?:[:;=8xX][-'^o]?[()DPpOo3/\\|\][*$@]+|[()\]\[dD][-'^]?[:;=8]|<\/?3+|\^_*\^|[tT]_[tT]|[oO]_[oO]|-_-)$/u;
/** Sentence-final marks. */
const TERMINATORS = new Set([".", "!", "?", "\u2026", "\u203C", "\u2047", "\u2048", "\u2049", "\u3002", "\uFF01", "\uFF1F", "\uFF0E"]);
/** Marks that may follow a terminator inside the same sentence. */
const CLOSERS = new Set(['"', "'", "\u201D", "\u2019", ")", "]", "}", "\u00BB", "\u300D", "\u300F"]);
/** Words that a following period does not end a sentence after (compared lowercase, without the dot). */
const ABBREVIATIONS = new Set([
  "mr", "mrs", "ms", "mx", "dr", "prof", "st", "jr", "sr", "sgt", "capt", "col", "gen", "lt", "rev", "hon", "gov",
  "sen", "rep", "pres", "vs", "etc", "e.g", "i.e", "cf", "al", "approx", "dept", "inc", "ltd", "co", "corp",
  "mt", "ft", "vol", "fig", "pp", "ca", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
  "sept", "oct", "nov", "dec", "a.m", "p.m", "u.s", "u.k", "u.s.a", "ph.d", "b.a", "m.a", "b.sc", "m.sc",
]);

function isSpace(ch: string): boolean {
  return WHITESPACE.test(ch);
}

function slice(cps: readonly string[], begin: number, end: number): Segment {
  return { text: cps.slice(begin, end).join(""), begin, end };
}

/** Shrinks [begin, end) past whitespace at both ends; null when nothing is left. */
function trimmed(cps: readonly string[], begin: number, end: number): Segment | null {
  while (begin < end && isSpace(cps[begin] as string)) begin++;
  while (end > begin && isSpace(cps[end - 1] as string)) end--;
  return begin < end ? slice(cps, begin, end) : null;
}

function isAbbreviation(token: string): boolean {
  // token: the characters of a word before its final period, leading punctuation removed.
  const lower = token.toLowerCase();
  if (ABBREVIATIONS.has(lower)) return true;
  if (/^\p{L}(?:\.\p{L})+$/u.test(token)) return true; // e.g, U.S.A, i.e
  return /^\p{Lu}$/u.test(token) && token !== "I"; // an initial: "J. Smith"
}

function wordsIn(cps: readonly string[], begin: number, end: number, out: Segment[]): void {
  let start = begin;
  let stop = end;
  const raw = cps.slice(begin, end).join("");
  if (EMOTICON.test(raw)) {
    out.push(slice(cps, begin, end));
    return;
  }
  while (start < stop && PUNCTUATION.test(cps[start] as string) && !KEEP_LEADING.has(cps[start] as string)) start++;
  while (stop > start && PUNCTUATION.test(cps[stop - 1] as string) && !KEEP_TRAILING.has(cps[stop - 1] as string)) {
    if (cps[stop - 1] === "." && stop - 1 > start && cps[stop - 2] !== ".") {
      const body = cps.slice(start, stop - 1).join("");
      if (isAbbreviation(body)) break;
    }
    stop--;
  }
  if (start >= stop) return;
  if (cps.slice(start, stop).every((ch) => PUNCTUATION.test(ch))) return;
  out.push(slice(cps, start, stop));
}

function wordsOf(cps: readonly string[]): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < cps.length) {
    while (i < cps.length && isSpace(cps[i] as string)) i++;
    let j = i;
    while (j < cps.length && !isSpace(cps[j] as string)) j++;
    // Split the whitespace-delimited token at long dashes.
    let k = i;
    for (let m = i; m <= j; m++) {
      if (m === j || WORD_DASHES.has(cps[m] as string)) {
        if (m > k) wordsIn(cps, k, m, out);
        k = m + 1;
      }
    }
    i = j;
  }
  return out;
}

/** Words: whitespace-delimited tokens with surrounding punctuation removed; pure punctuation is not a word. */
export function words(text: string): Segment[] {
  return wordsOf([...text]);
}

function sentencesOf(cps: readonly string[]): Segment[] {
  const out: Segment[] = [];
  let start = 0;
  const push = (end: number): void => {
    const segment = trimmed(cps, start, end);
    if (segment !== null) out.push(segment);
    start = end;
  };
  let i = 0;
  while (i < cps.length) {
    const ch = cps[i] as string;
    if (LINE_BREAK.test(ch)) {
      push(i);
      i++;
      continue;
    }
    if (!TERMINATORS.has(ch)) {
      i++;
      continue;
    }
    // A run of terminators, then closing quotes or brackets.
    let runEnd = i;
    let onlyDots = true;
    while (runEnd < cps.length && TERMINATORS.has(cps[runEnd] as string)) {
      const t = cps[runEnd] as string;
      if (t !== "." && t !== "\u2026" && t !== "\uFF0E") onlyDots = false;
      runEnd++;
    }
    let j = runEnd;
    while (j < cps.length && CLOSERS.has(cps[j] as string)) j++;
    const atEnd = j >= cps.length;
    if (!atEnd && !isSpace(cps[j] as string)) {
      // "3.14", "U.S.A", "wait...what": no break without a following space (CJK marks break regardless).
      if (ch === "\u3002" || ch === "\uFF01" || ch === "\uFF1F") push(j);
      i = j;
      continue;
    }
    if (onlyDots && !atEnd) {
      let k = j;
      while (k < cps.length && isSpace(cps[k] as string) && !LINE_BREAK.test(cps[k] as string)) k++;
      const next = cps[k];
      const continues = next !== undefined && !LINE_BREAK.test(next);
      // An ellipsis followed by lowercase, or any period followed by a digit or , ; : continues the sentence.
      if (continues && /^[\p{N},;:]$/u.test(next)) {
        i = j;
        continue;
      }
      if (continues && (runEnd - i > 1 || ch === "\u2026") && /^\p{Ll}$/u.test(next)) {
        i = j;
        continue;
      }
      if (continues && ch === "." && runEnd - i === 1) {
        // A single period after an abbreviation ("Dr.", "e.g.", "J.") does not end the sentence.
        let w = i;
        while (w > start && !isSpace(cps[w - 1] as string)) w--;
        const body = cps.slice(w, i).join("").replace(/^\p{P}+/u, "");
        if (body.length > 0 && isAbbreviation(body)) {
          i = j;
          continue;
        }
      }
    }
    push(j);
    i = j;
  }
  push(cps.length);
  return out;
}

/** Sentences, split at . ! ? … (with abbreviation, decimal and ellipsis handling) and at line breaks. */
export function sentences(text: string): Segment[] {
  return sentencesOf([...text]);
}

function turnsOf(cps: readonly string[]): Segment[] {
  const out: Segment[] = [];
  let start = 0;
  for (let i = 0; i <= cps.length; i++) {
    if (i === cps.length || LINE_BREAK.test(cps[i] as string)) {
      const segment = trimmed(cps, start, i);
      if (segment !== null) out.push(segment);
      start = i + 1;
    }
  }
  return out;
}

/** Conversational turns: the non-blank lines of the text. */
export function turns(text: string): Segment[] {
  return turnsOf([...text]);
}

/** The whole text without surrounding whitespace, or null when blank. */
export function passage(text: string): Segment | null {
  const cps = [...text];
  return trimmed(cps, 0, cps.length);
}

export interface Segmentation {
  /** Every word of the text. */
  words: Segment[];
  /** The units predictions are made for at the requested granularity; each holds at least one word. */
  units: Segment[];
}

/** Units for a granularity; units without any word are dropped (they carry no emotional language). */
export function segment(text: string, granularity: LanguageGranularity): Segmentation {
  const cps = [...text];
  const allWords = wordsOf(cps);
  let units: Segment[];
  switch (granularity) {
    case "word":
      units = allWords;
      break;
    case "sentence":
    case "utterance":
      units = sentencesOf(cps);
      break;
    case "conversational_turn":
      units = turnsOf(cps);
      break;
    case "passage": {
      const whole = trimmed(cps, 0, cps.length);
      units = whole === null ? [] : [whole];
      break;
    }
  }
  if (granularity !== "word") units = units.filter((unit) => allWords.some((w) => w.begin >= unit.begin && w.end <= unit.end));
  return { words: allWords, units };
}
