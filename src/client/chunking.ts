// Helpers for streaming inputs longer than one payload: text cut into code-point chunks, PCM re-wrapped
// as WAV windows. Pure functions.

import type { LanguagePrediction } from "../protocol/index.js";
import { encodeWav } from "./wav.js";

export interface TextChunk {
  /** The chunk's text. */
  text: string;
  /** Offset of the chunk's first code point in the whole text. */
  start: number;
  /** Offset just past the chunk's last code point. */
  end: number;
}

const SENTENCE_END = /[.!?;\u3002\uff01\uff1f\u2026]/u;
const WHITESPACE = /\s/u;

/**
 * Cuts `text` into contiguous chunks of at most `maxChars` Unicode code points, covering it exactly
 * (chunks joined give back the text). Cuts prefer a line break, then the whitespace after a sentence
 * end, then any whitespace, and only split inside a word when a chunk has no whitespace at all.
 */
export function chunkText(text: string, maxChars: number): TextChunk[] {
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new RangeError("maxChars must be a positive integer");
  const cps = [...text];
  const chunks: TextChunk[] = [];
  let start = 0;
  while (start < cps.length) {
    let end = Math.min(start + maxChars, cps.length);
    if (end < cps.length) end = findCut(cps, start, end);
    chunks.push({ text: cps.slice(start, end).join(""), start, end });
    start = end;
  }
  return chunks;
}

/** Best cut in (start, limit]: the chunk ends just after the chosen whitespace. */
function findCut(cps: readonly string[], start: number, limit: number): number {
  // Do not search the whole chunk for a nicer boundary: a cut in the last half is good enough
  // and keeps chunks near the limit.
  const floor = start + Math.floor((limit - start) / 2);
  let sentence = -1;
  let space = -1;
  for (let i = limit - 1; i > start; i--) {
    const c = cps[i] ?? "";
    if (!WHITESPACE.test(c)) continue;
    if (c === "\n" && i >= floor) return i + 1;
    if (sentence < 0 && SENTENCE_END.test(cps[i - 1] ?? "")) sentence = i + 1;
    if (space < 0) space = i + 1;
    if (sentence >= 0 && i < floor) break;
  }
  if (sentence > start && sentence >= floor) return sentence;
  if (space > start) return space;
  return limit;
}

/** Shifts a language prediction's position by `offset` code points (the chunk's start). */
export function shiftLanguagePrediction(item: LanguagePrediction, offset: number): LanguagePrediction {
  return { ...item, position: { begin: item.position.begin + offset, end: item.position.end + offset } };
}

export interface WavWindow {
  /** A complete WAV file. */
  wav: Uint8Array;
  /** First sample of the window in the whole signal. */
  startSample: number;
  /** Samples in the window. */
  length: number;
}

/** Cuts PCM into ceil(N / windowSamples) consecutive WAV files of at most `windowSamples` samples. */
export function wavWindows(samples: Float32Array, sampleRate: number, windowSamples: number): WavWindow[] {
  if (!Number.isInteger(windowSamples) || windowSamples < 1) throw new RangeError("windowSamples must be a positive integer");
  const windows: WavWindow[] = [];
  for (let start = 0; start < samples.length; start += windowSamples) {
    const part = samples.subarray(start, Math.min(start + windowSamples, samples.length));
    windows.push({ wav: encodeWav(part, sampleRate), startSample: start, length: part.length });
  }
  return windows;
}
