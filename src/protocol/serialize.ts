// Reply serialisation: JSON.stringify's text, written faster for the shape that dominates every reply:
// arrays of { name, score } (a 20-word text at word granularity carries ~1,400 of them). Each label's
// `{"name":"…","score":` prefix is escaped once and cached, and a score is written with SCORE_DIGITS
// significant digits instead of a double's 17: the models compute in float32 (int8 inside), so the
// extra digits were noise, and they made up half of a reply's bytes and most of its formatting time.

/** Significant digits of a score on the wire. */
export const SCORE_DIGITS = 6;
/** Below this JavaScript writes numbers in exponent notation ("1e-7"); so does the slow path here. */
const SMALLEST_FIXED = 1e-6;
const POW10 = Array.from({ length: 7 + SCORE_DIGITS }, (_, k) => 10 ** k);
const NEG_POW10 = Array.from({ length: 8 }, (_, k) => 10 ** -k);
const FIXED_PREFIX = Array.from({ length: 7 }, (_, zeros) => "0." + "0".repeat(zeros));
const CARRY = 10 ** SCORE_DIGITS;

const scorePrefixes = new Map<string, string>();

function scorePrefix(name: string): string {
  let prefix = scorePrefixes.get(name);
  if (prefix === undefined) {
    prefix = `{"name":${JSON.stringify(name)},"score":`;
    // Label names are a small closed set; the bound only guards against unexpected names.
    if (scorePrefixes.size < 4096) scorePrefixes.set(name, prefix);
  }
  return prefix;
}

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

/**
 * A score rounded to SCORE_DIGITS significant digits, trailing zeros dropped ("0.00472693", "0.5").
 * Integer arithmetic instead of toPrecision: scores are nearly all in (0, 1), and this is the hot path.
 */
export function scoreText(value: number): string {
  if (!(value >= SMALLEST_FIXED && value < 1)) return value > 0 && value < 1 ? String(Number(value.toPrecision(SCORE_DIGITS))) : number(value);
  let zeros = 0; // zeros between the decimal point and the first significant digit
  while (value < NEG_POW10[zeros + 1]!) zeros++;
  let digits = Math.round(value * POW10[zeros + SCORE_DIGITS]!);
  if (digits === CARRY) {
    // Rounding carried into a new leading digit (0.0999999996 -> 0.1).
    if (zeros === 0) return "1";
    zeros--;
    digits = CARRY / 10;
  }
  while (digits % 10 === 0) digits /= 10;
  return FIXED_PREFIX[zeros]! + digits;
}

/** The array as a list of scores, or undefined when any item is not exactly { name, score }. */
function scores(list: readonly unknown[]): string | undefined {
  let text = "[";
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isScore(item)) return undefined;
    text += (i === 0 ? "" : ",") + scorePrefix(item.name) + scoreText(item.score) + "}";
  }
  return text + "]";
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return number(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      return undefined; // undefined, functions and symbols are left out, as JSON.stringify does
  }
  if (value === null) return "null";
  if (Array.isArray(value)) {
    const list = value.length > 0 ? scores(value) : undefined;
    if (list !== undefined) return list;
    return "[" + value.map((item) => write(item) ?? "null").join(",") + "]";
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return JSON.stringify(value);
  let text = "{";
  let first = true;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const encoded = write(item);
    if (encoded === undefined) continue;
    text += (first ? "" : ",") + JSON.stringify(key) + ":" + encoded;
    first = false;
  }
  return text + "}";
}

/** JSON text of a reply: JSON.stringify(reply) for plain JSON data, except that scores carry SCORE_DIGITS significant digits. */
export function serializeReply(reply: object): string {
  return write(reply) ?? "null";
}
