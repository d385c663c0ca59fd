// Reply serialisation: the same text as JSON.stringify, written faster for the shape that dominates every
// reply: arrays of { name, score } (a 20-word text at word granularity carries ~1,400 of them). Each label's
// `{"name":"…","score":` prefix is escaped once and cached, so a score costs one number conversion.

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

/** The array as a list of scores, or undefined when any item is not exactly { name, score }. */
function scores(list: readonly unknown[]): string | undefined {
  let text = "[";
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isScore(item)) return undefined;
    text += (i === 0 ? "" : ",") + scorePrefix(item.name) + number(item.score) + "}";
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

/** JSON text of a reply, identical to JSON.stringify(reply) for plain JSON data. */
export function serializeReply(reply: object): string {
  return write(reply) ?? "null";
}
