// Reply serialisation: JSON.stringify's text as UTF-8 bytes, written faster for the shape that dominates
// every reply: arrays of { name, score } (a 20-word text at word granularity carries ~1,400 of them;
// models build them as ./scores.ts LabelScore, which skips the key check a plain object takes).
// The bytes go straight into one buffer (no string pieces to join, encode and collect): each label's
// `{"name":"…","score":` prefix and each object key is encoded once and cached, and a score's digits,
// an integer's digits and a short ASCII string are written as bytes (Buffer#write costs more per call).
// A score carries SCORE_DIGITS significant digits instead of a double's 17: the models compute in
// float32 (int8 inside), so the extra digits were noise, and they made up half of a reply's bytes.

import { LabelScore, scorePrefix } from "./scores.js";
import { utf8Cache } from "./utf8-cache.js";

/** Significant digits of a score on the wire. */
export const SCORE_DIGITS = 6;
/** Most zeros after the point that String() writes before switching to exponent notation (0.000001, 1e-7). */
const FIXED_ZEROS = 5;
/** score() formats values down to this (float32's smallest, which the models' scores are) itself; smaller
 * ones go through toPrecision and String. */
const SMALLEST_FAST = 1e-45;
const FAST_DECADES = 46;
// Parsed from decimal text so that each power is the double nearest to it (** may be off by an ulp).
const POW10 = Array.from({ length: FAST_DECADES + SCORE_DIGITS + 1 }, (_, k) => Number(`1e${k}`));
const NEG_POW10 = Array.from({ length: FAST_DECADES + 1 }, (_, k) => Number(`1e-${k}`));
const CARRY = 10 ** SCORE_DIGITS;
/** "00", "01", … "99" as ASCII pairs: two digits per division. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 0x30 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));
/** Strings up to this length are tried as ASCII first (see ByteWriter.text). */
const SHORT_TEXT = 64;
/** Most bytes score() writes itself: "0." + 5 zeros + SCORE_DIGITS digits, or a digit, "." + SCORE_DIGITS - 1
 * digits + "e-" + 2 exponent digits. */
const SCORE_BYTES = 8 + SCORE_DIGITS;
const LETTER_E = 0x65;
const MINUS = 0x2d;
const ZERO = 0x30;
const DOT = 0x2e;
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;

/** Writes `digits` (below 10^SCORE_DIGITS) as exactly SCORE_DIGITS ASCII digits, leading zeros included. */
function writeDigits(buffer: Buffer, at: number, digits: number): void {
  let i = at + SCORE_DIGITS;
  while (i - at >= 2) {
    const pair = 2 * (digits % 100);
    digits = (digits / 100) | 0;
    buffer[--i] = DIGIT_PAIRS[pair + 1]!;
    buffer[--i] = DIGIT_PAIRS[pair]!;
  }
  if (i > at) buffer[at] = ZERO + digits;
}

/** A growable byte buffer; `bytes()` hands out a view of what was written. */
class ByteWriter {
  private buffer: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  text(value: string): void {
    this.reserve(3 * value.length);
    const buffer = this.buffer;
    const start = this.length;
    // Short ASCII strings (keys, numbers, most words) byte by byte: Buffer#write costs more per call.
    if (value.length <= SHORT_TEXT) {
      let i = 0;
      for (; i < value.length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buffer[start + i] = code;
      }
      if (i === value.length) {
        this.length += i;
        return;
      }
    }
    this.length += buffer.write(value, start, "utf8");
  }

  /** A non-negative integer below 2^31 (positions, counts), as String() writes it. */
  integer(value: number): void {
    this.reserve(10);
    let digits = 1;
    while (digits < 10 && value >= POW10[digits]!) digits++;
    for (let i = this.length + digits - 1; i >= this.length; i--) {
      this.buffer[i] = ZERO + (value % 10);
      value = (value / 10) | 0;
    }
    this.length += digits;
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** One `{"name":…,"score":…}` list item; prefix is its cached `{"name":…,"score":` bytes. One
   * reservation for the whole item: this runs ~1,400 times per word-level reply. */
  scoreItem(prefix: Uint8Array, value: number, comma: boolean): void {
    this.reserve(prefix.length + SCORE_BYTES + 2);
    const buffer = this.buffer;
    let at = this.length;
    if (comma) buffer[at++] = COMMA;
    buffer.set(prefix, at);
    this.length = at + prefix.length;
    this.score(value); // may grow the buffer (values outside [1e-45, 1) go through text())
    this.byte(CLOSE_BRACE);
  }

  /** A score rounded to SCORE_DIGITS significant digits, trailing zeros dropped, in the notation String()
   * uses ("0.00472693", "0.5", "1.5e-7"). */
  score(value: number): void {
    if (value === 0) return this.byte(ZERO); // exact zeros are common in replies; String(0) is "0" too
    if (!(value >= SMALLEST_FAST && value < 1)) {
      this.text(value > 0 && value < 1 ? String(Number(value.toPrecision(SCORE_DIGITS))) : number(value));
      return;
    }
    let zeros = 0; // zeros between the decimal point and the first significant digit
    while (value < NEG_POW10[zeros + 1]!) zeros++;
    // `| 0` keeps the digit arithmetic in small integers (float `%` and Math.floor are several times slower).
    let digits = Math.round(value * POW10[zeros + SCORE_DIGITS]!) | 0;
    if (digits === CARRY) {
      // Rounding carried into a new leading digit (0.0999999996 -> 0.1).
      if (zeros === 0) return this.byte(ZERO + 1);
      zeros--;
      digits = CARRY / 10;
    }
    this.reserve(SCORE_BYTES); // scoreItem reserved this already; score() alone needs it
    const buffer = this.buffer;
    let at = this.length;
    if (zeros <= FIXED_ZEROS) {
      buffer[at++] = ZERO;
      buffer[at++] = DOT;
      for (let i = 0; i < zeros; i++) buffer[at++] = ZERO;
      writeDigits(buffer, at, digits);
      at += SCORE_DIGITS;
      while (buffer[at - 1] === ZERO) at--; // the leading digit is not 0, so this stops there
    } else {
      // d.ddddde-N: the digits one place right, then the first moved left of the dot.
      writeDigits(buffer, at + 1, digits);
      buffer[at] = buffer[at + 1]!;
      buffer[at + 1] = DOT;
      at += SCORE_DIGITS + 1;
      while (buffer[at - 1] === ZERO) at--;
      if (buffer[at - 1] === DOT) at--;
      buffer[at++] = LETTER_E;
      buffer[at++] = MINUS;
      const power = zeros + 1;
      if (power >= 10) buffer[at++] = ZERO + ((power / 10) | 0);
      buffer[at++] = ZERO + (power % 10);
    }
    this.length = at;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** `"key":` as UTF-8, encoded once per key (reply keys are a small closed set too). */
const keyPrefix = utf8Cache((key) => `${JSON.stringify(key)}:`);

function isScore(value: unknown): value is { name: string; score: number } {
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const record = value as Record<string, unknown>;
  let keys = 0;
  // Key order matters: JSON.stringify writes keys in insertion order, and the fast path writes name first.
  for (const key in record) {
    if (key !== (keys === 0 ? "name" : keys === 1 ? "score" : undefined)) return false;
    keys++;
  }
  return keys === 2 && typeof record.name === "string" && typeof record.score === "number";
}

function number(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

/** Writes the array as a list of scores; false (nothing written) when any item is not exactly { name, score }. */
function writeScores(w: ByteWriter, list: readonly unknown[]): boolean {
  const start = w.length;
  w.byte(0x5b); // [
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (item instanceof LabelScore) {
      w.scoreItem(item.prefix, item.score, i > 0);
      continue;
    }
    if (!isScore(item)) {
      w.length = start;
      return false;
    }
    w.scoreItem(scorePrefix(item.name), item.score, i > 0);
  }
  w.byte(0x5d); // ]
  return true;
}

/** What JSON.stringify leaves out of objects (and writes as null in arrays). */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol" || typeof value === "bigint";
}

/** JSON.stringify's first step for each value: one with a toJSON method is replaced by what toJSON(key) returns. */
function jsonValue(value: unknown, key: string): unknown {
  const toJSON = typeof value === "object" && value !== null ? (value as { toJSON?: unknown }).toJSON : undefined;
  return typeof toJSON === "function" ? (toJSON as (key: string) => unknown).call(value, key) : value;
}

/** Writes a value that jsonValue has already resolved and that is not omitted. */
function write(w: ByteWriter, value: unknown): void {
  switch (typeof value) {
    case "string":
      return w.text(JSON.stringify(value));
    case "number":
      return Number.isInteger(value) && value >= 0 && value < 2 ** 31 ? w.integer(value) : w.text(number(value));
    case "boolean":
      return w.text(value ? "true" : "false");
    default:
      break;
  }
  if (value === null || typeof value !== "object") return w.text("null");
  if (Array.isArray(value)) {
    if (value.length > 0 && writeScores(w, value)) return;
    w.byte(0x5b);
    value.forEach((raw, i) => {
      if (i > 0) w.byte(0x2c);
      const item = jsonValue(raw, String(i));
      if (omitted(item)) w.text("null");
      else write(w, item);
    });
    return w.byte(0x5d);
  }
  w.byte(0x7b); // {
  let first = true;
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const item = jsonValue(raw, key);
    if (omitted(item)) continue;
    if (!first) w.byte(0x2c);
    w.raw(keyPrefix(key));
    write(w, item);
    first = false;
  }
  w.byte(0x7d); // }
}

/** The smallest first buffer of a reply. */
const INITIAL_BYTES = 16 * 1024;
/** The first buffer is sized from the last reply (replies of a stream tend to be alike: a 20-word text at
 * word granularity needs ~54 KB), which saves growing it by doubling; this bounds that guess. */
const MOST_INITIAL_BYTES = 1024 * 1024;
let initialBytes = INITIAL_BYTES;

/**
 * UTF-8 JSON of a reply: the bytes of JSON.stringify(reply) for plain JSON data, except that scores
 * carry SCORE_DIGITS significant digits. Send it as a text frame.
 */
export function serializeReply(reply: object): Buffer {
  const w = new ByteWriter(initialBytes);
  const value = jsonValue(reply, "");
  if (omitted(value)) w.text("null");
  else write(w, value);
  initialBytes = Math.min(MOST_INITIAL_BYTES, Math.max(INITIAL_BYTES, w.length + (w.length >> 3)));
  return w.bytes();
}

/** One score as the wire writes it (for tests and documentation). */
export function scoreText(value: number): string {
  const w = new ByteWriter(32);
  w.score(value);
  return w.bytes().toString("latin1");
}
