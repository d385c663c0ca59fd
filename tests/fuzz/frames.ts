// Seeded, deterministic generator of hostile frames for the streaming endpoint. Frame i depends only on
// (seed, i) and the media seeds, so a failing frame can be regenerated alone: `frameAt(i)`.

import type { MediaSeeds } from "./seeds.js";
import { bmpClaiming, pngClaiming, toneWav, wavWith } from "../support/media.js";
import { mulberry32, type Rng } from "../support/rng.js";

export interface FuzzFrame {
  index: number;
  /** What the frame is, e.g. "json.deep.arrays", "image.png.huge-dims", "audio.wav.lying.channels-0". */
  kind: string;
  /** A string is sent as a text frame, a Buffer as a binary frame. */
  data: string | Buffer;
}

export interface FrameGeneratorOptions {
  seed: number;
  seeds: MediaSeeds;
  /** The server's frame limit: "oversize" frames land between it and twice it (E0208, not a close). */
  maxFrameBytes: number;
  maxTextChars: number;
  maxFacemeshFaces: number;
}

// --- Randomness ----------------------------------------------------------------------------------

function rngFor(seed: number, index: number): Rng {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ index, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return mulberry32(h ^ (h >>> 16));
}

class Pick {
  constructor(readonly rng: Rng) {}
  int(n: number): number {
    return Math.floor(this.rng() * n);
  }
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.rng() < p;
  }
  one<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

// --- Byte helpers --------------------------------------------------------------------------------

/** The seed JPEG with its SOF frame header rewritten to claim width × height. */
function jpegClaiming(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i + 9 < out.length; ) {
    if (out[i] !== 0xff) return out;
    const marker = out[i + 1]!;
    const length = out.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      out.writeUInt16BE(height & 0xffff, i + 5);
      out.writeUInt16BE(width & 0xffff, i + 7);
      return out;
    }
    i += 2 + length;
  }
  return out;
}

function gifClaiming(gif: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(gif);
  out.writeUInt16LE(width & 0xffff, 6);
  out.writeUInt16LE(height & 0xffff, 8);
  // The first image descriptor (0x2c) too: skip the global colour table and extension blocks.
  let at = 13;
  if ((out[10]! & 0x80) !== 0) at += 3 * 2 ** ((out[10]! & 7) + 1);
  while (at + 2 < out.length && out[at] === 0x21) {
    at += 2;
    while (at < out.length && out[at] !== 0) at += out[at]! + 1;
    at += 1;
  }
  if (out[at] === 0x2c && at + 9 < out.length) {
    out.writeUInt16LE(width & 0xffff, at + 5);
    out.writeUInt16LE(height & 0xffff, at + 7);
  }
  return out;
}

/** A WebP with a VP8X header claiming a width × height canvas in front of the seed's bitstream chunk. */
function webpClaiming(webp: Buffer, width: number, height: number): Buffer {
  const body = webp.subarray(12);
  const vp8x = Buffer.alloc(18);
  vp8x.write("VP8X", 0, "latin1");
  vp8x.writeUInt32LE(10, 4);
  vp8x.writeUIntLE((width - 1) & 0xffffff, 12, 3);
  vp8x.writeUIntLE((height - 1) & 0xffffff, 15, 3);
  const head = Buffer.alloc(12);
  head.write("RIFF", 0, "latin1");
  head.writeUInt32LE(4 + vp8x.length + body.length, 4);
  head.write("WEBP", 8, "latin1");
  return Buffer.concat([head, vp8x, body]);
}

function truncate(p: Pick, bytes: Buffer): Buffer {
  return bytes.subarray(0, 1 + p.int(Math.max(1, bytes.length - 1)));
}

/** Flips 1–32 random bits; the first `keepHead` bytes (the magic) are left alone so the kind is still sniffed. */
function bitflip(p: Pick, bytes: Buffer, keepHead = 12): Buffer {
  const out = Buffer.from(bytes);
  const flips = p.range(1, 32);
  for (let i = 0; i < flips; i++) {
    const at = Math.min(out.length - 1, keepHead + p.int(Math.max(1, out.length - keepHead)));
    out[at] = out[at]! ^ (1 << p.int(8));
  }
  return out;
}

/** Overwrites a random run of bytes with random bytes (a corrupted block). */
function smash(p: Pick, bytes: Buffer, keepHead = 12): Buffer {
  const out = Buffer.from(bytes);
  const length = p.range(1, Math.max(1, Math.min(256, out.length >> 2)));
  const at = keepHead + p.int(Math.max(1, out.length - keepHead - length));
  p.bytes(length).copy(out, Math.min(at, out.length - 1));
  return out;
}

const b64 = (bytes: Buffer) => bytes.toString("base64");

// --- Request helpers -----------------------------------------------------------------------------

type Models = Record<string, unknown>;

function modelsFor(p: Pick, kind: "text" | "image" | "audio" | "video" | "facemesh"): Models {
  if (p.chance(0.06)) return { [p.one(["burst", "face", "facemesh", "language", "prosody"])]: {} }; // often E0102
  switch (kind) {
    case "text":
      return { language: p.chance(0.5) ? {} : { granularity: p.one(["word", "sentence", "utterance", "passage", "conversational_turn"]), sentiment: {}, toxicity: p.chance(0.5) ? {} : null } };
    case "image":
      return { face: p.chance(0.6) ? {} : { facs: {}, descriptions: {}, identify_faces: p.chance(0.5), prob_threshold: p.rng(), min_face_size: p.int(100) } };
    case "audio":
      return p.one([{ prosody: {} }, { burst: {} }, { prosody: {}, burst: {} }]);
    case "video":
      return p.one([{ face: {} }, { prosody: {} }, { face: { fps_pred: p.one([0, 1, 3, 30, 1000]) }, prosody: {}, burst: {} }]);
    case "facemesh":
      return { facemesh: {} };
  }
}

function request(index: number, p: Pick, fields: Record<string, unknown>): string {
  const body: Record<string, unknown> = {};
  if (!p.chance(0.05)) body.payload_id = `fz-${index}`;
  return JSON.stringify({ ...body, ...fields });
}

/** Replaces the JSON strings "__INF__", "__NINF__", "__TINY__" with number literals JSON.stringify cannot write (1e309 parses to Infinity, 1e-400 to 0). */
function withNumberLiterals(json: string): string {
  return json.replaceAll('"__INF__"', "1e309").replaceAll('"__NINF__"', "-1e309").replaceAll('"__TINY__"', "1e-400");
}

// --- Generators ----------------------------------------------------------------------------------

interface Ctx {
  index: number;
  p: Pick;
  o: FrameGeneratorOptions;
}

type Generated = { kind: string; data: string | Buffer };
type Generator = (c: Ctx) => Generated;

const INVALID_JSON: readonly (readonly [string, string])[] = [
  ["empty", ""],
  ["space", "   \n\t"],
  ["open-brace", "{"],
  ["close-brace", "}"],
  ["bare-word", "{nope"],
  ["single-quotes", "{'data':'x'}"],
  ["trailing-comma", '{"data":"x","models":{"language":{}},}'],
  ["nan", '{"stream_window_ms":NaN}'],
  ["infinity-word", '{"stream_window_ms":Infinity}'],
  ["undefined", "undefined"],
  ["extra-brace", '{"job_details":true}}'],
  ["bom", "\ufeff{}"],
  ["missing-comma", '{"payload_id":"x" "data":"y"}'],
  ["unterminated-string", '{"data":"\\ud800'],
  ["bad-escape", '{"data":"\\x41"}'],
  ["nul", "\u0000"],
  ["comment", '{/*c*/"job_details":true}'],
  ["hex-number", '{"stream_window_ms":0x10}'],
  ["leading-zero", '{"stream_window_ms":0500}'],
  ["raw-control-in-string", '{"payload_id":"a\u0001b"}'],
  ["unquoted-key", "{data:1}"],
  ["tru", "tru"],
  ["two-objects", "{}{}"],
];

const genInvalidJson: Generator = ({ index, p }) => {
  const r = p.int(INVALID_JSON.length + 3);
  if (r < INVALID_JSON.length) {
    const [name, text] = INVALID_JSON[r]!;
    return { kind: `json.invalid.${name}`, data: text };
  }
  if (r === INVALID_JSON.length) {
    const valid = request(index, p, { data: "hello there", raw_text: true, models: { language: {} } });
    return { kind: "json.invalid.truncated", data: valid.slice(0, p.int(valid.length - 1)) };
  }
  if (r === INVALID_JSON.length + 1) {
    let s = "";
    const n = p.range(1, 300);
    for (let i = 0; i < n; i++) s += String.fromCharCode(p.range(0x20, 0x7e));
    return { kind: "json.invalid.garbage", data: s };
  }
  let s = "";
  const n = p.range(1, 200);
  for (let i = 0; i < n; i++) s += String.fromCharCode(p.int(0x10000));
  return { kind: "json.invalid.utf16-garbage", data: s };
};

const genDeep: Generator = ({ index, p }) => {
  const depth = p.one([1000, 10_000, 100_000]);
  switch (p.int(6)) {
    case 0:
      return { kind: `json.deep.arrays-${depth}`, data: "[".repeat(depth) + "]".repeat(depth) };
    case 1:
      return { kind: `json.deep.objects-${depth}`, data: '{"a":'.repeat(depth) + "1" + "}".repeat(depth) };
    case 2:
      return { kind: `json.deep.unbalanced-${depth}`, data: "[".repeat(depth) };
    case 3:
      return {
        kind: `json.deep.in-models-${depth}`,
        data: `{"payload_id":"fz-${index}","data":"hi","raw_text":true,"models":{"language":{"sentiment":${"[".repeat(depth)}${"]".repeat(depth)}}}}`,
      };
    case 4:
      return { kind: `json.deep.in-data-${depth}`, data: request(index, p, { data: "[".repeat(depth) + "]".repeat(depth), raw_text: p.chance(0.5), models: { facemesh: {} } }) };
    default:
      return { kind: `json.deep.in-unknown-key-${depth}`, data: `{"payload_id":"fz-${index}","extra":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}` };
  }
};

const genNonObject: Generator = ({ p }) => {
  const [name, text] = p.one([
    ["array", "[]"],
    ["null", "null"],
    ["number", "3"],
    ["string", '"x"'],
    ["true", "true"],
    ["array-of-object", '[{"job_details":true}]'],
    ["neg-zero", "-0"],
    ["inf", "1e309"],
  ] as const);
  return { kind: `json.non-object.${name}`, data: text };
};

const WRONG_VALUES: readonly (readonly [string, unknown])[] = [
  ["int", 1],
  ["neg", -1],
  ["float", 0.5],
  ["string", "str"],
  ["empty-string", ""],
  ["true", true],
  ["false", false],
  ["array", []],
  ["object", {}],
  ["array2", [1, 2]],
  ["object1", { a: 1 }],
  ["inf", "__INF__"],
  ["neg-inf", "__NINF__"],
  ["underflow", "__TINY__"],
  ["unsafe-int", 9007199254740993],
  ["nan-string", "NaN"],
  ["true-string", "true"],
  ["null", null],
];

const FIELD_PATHS = [
  "data", "models", "stream_window_ms", "reset_stream", "raw_text", "job_details", "payload_id",
  "models.face", "models.language", "models.burst", "models.prosody", "models.facemesh",
  "models.face.facs", "models.face.descriptions", "models.face.identify_faces", "models.face.fps_pred",
  "models.face.prob_threshold", "models.face.min_face_size", "models.face.save_faces",
  "models.language.granularity", "models.language.sentiment", "models.language.toxicity", "models.language.identify_speakers",
  "models.prosody.granularity", "models.prosody.window",
] as const;

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let at = target;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    if (typeof next !== "object" || next === null || Array.isArray(next)) at[part] = {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts.at(-1)!] = value;
}

const genWrongType: Generator = ({ index, p }) => {
  const path = p.one(FIELD_PATHS);
  const [name, value] = p.one(WRONG_VALUES);
  const base: Record<string, unknown> = { payload_id: `fz-${index}`, data: "I am fine, thanks", raw_text: true, models: { language: {}, face: {} } };
  if (path.startsWith("models.language")) base.models = { language: {} };
  if (path.startsWith("models.face") || path.startsWith("models.prosody")) base.models = { face: {}, prosody: {} };
  setPath(base, path, value);
  return { kind: `field.wrong-type.${path}.${name}`, data: withNumberLiterals(JSON.stringify(base)) };
};

const genRange: Generator = ({ index, p }) => {
  const cases: readonly (readonly [string, unknown])[] = [
    ["stream_window_ms", p.one([499, 10_001, -1, 0, 1e20, 500, 10_000, 4999.5, -0])],
    ["models.face.fps_pred", p.one([-1, 1001, 1e9, 0, 1000])],
    ["models.face.prob_threshold", p.one([-0.1, 1.5, 1, 0, 1e-300])],
    ["models.face.min_face_size", p.one([-1, 1e7, 0, 1_000_000])],
  ];
  const [path, value] = p.one(cases);
  const base: Record<string, unknown> = { payload_id: `fz-${index}`, data: "hello", raw_text: true, models: path.startsWith("models.face") ? { face: {} } : { language: {} } };
  setPath(base, path, value);
  return { kind: `field.range.${path}`, data: JSON.stringify(base) };
};

const CAMEL = [
  ["rawText", true], ["payloadId", "x"], ["streamWindowMs", 5000], ["resetStream", true], ["jobDetails", true],
] as const;
const CAMEL_NESTED = [
  ["face", "fpsPred", 3], ["face", "probThreshold", 0.5], ["face", "identifyFaces", true], ["face", "minFaceSize", 60],
  ["language", "identifySpeakers", true], ["face", "saveFaces", true],
] as const;

const genKeys: Generator = ({ index, p }) => {
  const id = `"payload_id":"fz-${index}"`;
  switch (p.int(7)) {
    case 0: {
      const [key, value] = p.one(CAMEL);
      return { kind: `key.camel.${key}`, data: `{${id},${JSON.stringify(key)}:${JSON.stringify(value)}}` };
    }
    case 1: {
      const [model, key, value] = p.one(CAMEL_NESTED);
      return { kind: `key.camel.models.${model}.${key}`, data: `{${id},"data":"aGk=","models":{"${model}":{${JSON.stringify(key)}:${JSON.stringify(value)}}}}` };
    }
    case 2: {
      const key = p.one(["type", "foo", "", "__proto__", "constructor", "hasOwnProperty", "toString", "DATA", " data", "data\u0000", "\ud800"]);
      return { kind: `key.unknown.top.${JSON.stringify(key)}`, data: `{${id},${JSON.stringify(key)}:{"x":1}}` };
    }
    case 3: {
      const model = p.one(["ner", "Language", "LANGUAGE", "__proto__", "toString", "constructor", "", "face ", "speech"]);
      return { kind: `model.unknown.${JSON.stringify(model)}`, data: `{${id},"data":"hi","raw_text":true,"models":{${JSON.stringify(model)}:{}}}` };
    }
    case 4: {
      const where = p.one(["face", "language", "prosody", "burst", "facemesh"]);
      const key = p.one(["__proto__", "foo", "constructor", "sentiment_", "Granularity"]);
      return { kind: `key.unknown.models.${where}`, data: `{${id},"data":"hi","raw_text":true,"models":{"${where}":{${JSON.stringify(key)}:{}}}}` };
    }
    case 5:
      return { kind: "key.duplicate", data: `{"payload_id":"a-${index}","data":"x","raw_text":true,"payload_id":"fz-${index}","models":{"language":{}},"models":{"language":{"granularity":"passage"}}}` };
    default:
      return { kind: "key.proto-pollution", data: `{${id},"models":{"language":{}},"__proto__":{"data":"polluted","raw_text":true}}` };
  }
};

const genHugeString: Generator = ({ index, p, o }) => {
  const budget = Math.floor(o.maxFrameBytes * 0.8);
  switch (p.int(8)) {
    case 6:
      // U+FDFA is 18 characters after NFKC: within the limit as sent, far past it as the model reads it.
      return { kind: "string.huge.nfkc-expands-over-limit", data: request(index, p, { data: "\uFDFA".repeat(o.maxTextChars), raw_text: true, models: { language: { granularity: "word" } } }) };
    case 7:
      // Just within the limit after NFKC, as one overlong word: must be answered, not time out.
      return { kind: "string.huge.nfkc-expands-at-limit", data: request(index, p, { data: "\uFDFA".repeat(Math.floor(o.maxTextChars / 18)), raw_text: true, models: { language: { granularity: "word" } } }) };
    case 0:
      return { kind: "string.huge.text-over-limit", data: request(index, p, { data: "a".repeat(o.maxTextChars + 1), raw_text: true, models: { language: {} } }) };
    case 1:
      return { kind: "string.huge.emoji-over-limit", data: request(index, p, { data: "😀".repeat(o.maxTextChars + 1), raw_text: true, models: { language: {} } }) };
    case 2:
      return { kind: "string.huge.emoji-at-limit", data: request(index, p, { data: "😀 ".repeat(Math.floor(o.maxTextChars / 2)), raw_text: true, models: { language: {} } }) };
    case 3:
      return { kind: "string.huge.payload-id", data: JSON.stringify({ payload_id: "p".repeat(Math.min(budget, 500_000)), job_details: true }) };
    case 4:
      return { kind: "string.huge.unknown-key", data: `{"payload_id":"fz-${index}",${JSON.stringify("k".repeat(Math.min(budget, 300_000)))}:1}` };
    default:
      // Valid base64 of zero bytes: decoded, then sniffed as nothing known.
      return { kind: "string.huge.base64-zeros", data: request(index, p, { data: "A".repeat(Math.min(budget, 600_000) & ~3), models: { face: {} } }) };
  }
};

const genOversize: Generator = ({ index, p, o }) => {
  const size = o.maxFrameBytes + 1 + p.int(Math.min(64 * 1024, o.maxFrameBytes));
  const prefix = `{"payload_id":"fz-${index}","data":"`;
  const suffix = '","raw_text":true,"models":{"language":{}}}';
  return { kind: "frame.oversize", data: prefix + "x".repeat(Math.max(0, size - prefix.length - suffix.length)) + suffix };
};

function seed(o: FrameGeneratorOptions, name: string): Buffer | undefined {
  return o.seeds.media.get(name);
}

const genBase64: Generator = ({ index, p, o }) => {
  const png = seed(o, "png")!;
  const wav = seed(o, "wav")!;
  const invalid = ["!!!!", "abc$", "a", "ab=c", "====", "A===", "é", "aGk", "aGk==", "aG=k", "a-_/+", "YQ==YQ==", "\u0000\u0000", "%3D%3D", "Zm9v\u00a0YmFy"];
  switch (p.int(12)) {
    case 0: {
      const text = p.one(invalid);
      return { kind: `base64.invalid.${JSON.stringify(text)}`, data: request(index, p, { data: text, models: { face: {} } }) };
    }
    case 1: {
      let s = b64(png);
      if (s.length % 4 !== 1) s = s.replace(/=+$/, "") + "A".repeat((5 - (s.replace(/=+$/, "").length % 4)) % 4);
      return { kind: "base64.truncated.len-mod-4-is-1", data: request(index, p, { data: s.slice(0, s.length - (s.length % 4) + 1), models: { face: {} } }) };
    }
    case 2: {
      const s = b64(png);
      return { kind: "base64.truncated.random", data: request(index, p, { data: s.slice(0, p.int(s.length)), models: { face: {} } }) };
    }
    case 3:
      return { kind: "base64.url-safe", data: request(index, p, { data: png.toString("base64url"), models: { face: {} } }) };
    case 4:
      return { kind: "base64.mime-lines", data: request(index, p, { data: b64(wav).replace(/(.{76})/g, "$1\r\n"), models: { prosody: {} } }) };
    case 5:
      return { kind: "base64.bad-padding", data: request(index, p, { data: b64(png).replace(/=*$/, "===="), models: { face: {} } }) };
    case 6:
      return { kind: "base64.data-url.png", data: request(index, p, { data: `data:image/png;base64,${b64(png)}`, models: { face: {} } }) };
    case 7:
      return { kind: "base64.data-url.lying-type", data: request(index, p, { data: `DATA:TEXT/PLAIN;BASE64,${b64(wav)}`, models: { prosody: {} } }) };
    case 8:
      return { kind: "base64.data-url.no-base64-marker", data: request(index, p, { data: `data:image/png,${b64(png)}`, models: { face: {} } }) };
    case 9:
      return { kind: "base64.data-url.empty-body", data: request(index, p, { data: p.one(["data:;base64,", "data:image/png;base64,", "   data:a/b;base64,   "]), models: { face: {} } }) };
    case 10:
      return { kind: "base64.data-url.long-prefix", data: request(index, p, { data: `data:${"x".repeat(2000)};base64,${b64(png)}`, models: { face: {} } }) };
    default:
      return { kind: "base64.data-url.nested", data: request(index, p, { data: `data:image/png;base64,data:image/png;base64,${b64(png)}`, models: { face: {} } }) };
  }
};

const genText: Generator = ({ index, p, o }) => {
  const rawCases: readonly (readonly [string, string])[] = [
    ["lone-high-surrogate", "\ud800"],
    ["lone-low-surrogate", "a\udc00b"],
    ["surrogate-pair", "\udbff\udfff ok"],
    ["high-at-end", "sad \ud83d"],
    ["reversed-pair", "\ude00\ud83d"],
    ["empty", ""],
    ["whitespace", " \t\n "],
    ["control", "\u0001\u0002\u0003 hi \u007f"],
    ["nul", "before\u0000after"],
    ["ansi", "\u001b[31mred\u001b[0m"],
    ["bidi", "\u202eevil\u202c \u200f"],
    ["zero-width", "a\u200b\u200c\u200db\ufeff"],
    ["combining", "e\u0301\u0301\u0301\u0301\u0301\u0301"],
    ["emoji", "I love this 😀👍🏽👨‍👩‍👧"],
    ["punctuation-only", "?!.,;:"],
    ["noncharacters", "\ufffe\uffff"],
    ["cjk", "今天很开心"],
    ["normal", "What a lovely day, I am so happy to see you."],
    ["at-limit", "b".repeat(o.maxTextChars)],
  ];
  const r = p.int(rawCases.length + 3);
  if (r < rawCases.length) {
    const [name, text] = rawCases[r]!;
    return { kind: `text.raw.${name}`, data: request(index, p, { data: text, raw_text: true, models: modelsFor(p, "text") }) };
  }
  if (r === rawCases.length) {
    // Invalid UTF-8 bytes, sent as base64 with raw_text false.
    const bytes = p.one([Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), Buffer.from("caf\xe9", "latin1")]);
    return { kind: "text.base64.invalid-utf8", data: request(index, p, { data: b64(bytes), models: modelsFor(p, "text") }) };
  }
  if (r === rawCases.length + 1) {
    const text = p.one(["hello 😀", "\ud800x", "plain"]);
    const bytes = p.chance(0.5) ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]) : Buffer.from(text, "utf8");
    return { kind: "text.base64.utf16-bom", data: request(index, p, { data: b64(bytes), models: modelsFor(p, "text") }) };
  }
  return { kind: "text.base64.utf8", data: request(index, p, { data: b64(Buffer.from("I'm thrilled and a bit nervous.")), models: modelsFor(p, "text") }) };
};

const IMAGE_SEEDS = ["png", "jpeg", "webp", "gif"] as const;

const genImage: Generator = ({ index, p, o }) => {
  const name = p.one(IMAGE_SEEDS);
  const bytes = seed(o, name)!;
  const send = (kind: string, data: Buffer) => ({ kind: `image.${name}.${kind}`, data: request(index, p, { data: b64(data), models: modelsFor(p, "image") }) });
  switch (p.int(8)) {
    case 0:
      return send("valid", bytes);
    case 1:
      return send("truncated", truncate(p, bytes));
    case 2:
      return send("bitflip", bitflip(p, bytes));
    case 3:
      return send("smashed", smash(p, bytes));
    case 4:
      return send("header-only", bytes.subarray(0, p.one([4, 8, 16, 33, 64])));
    case 5:
      return send("trailing-garbage", Buffer.concat([bytes, p.bytes(p.range(1, 4096))]));
    default: {
      const w = p.one([3001, 65_535, 100_000, 1_000_000, 0x7fffffff, 0, 1]);
      const h = p.one([3001, 65_535, 100_000, 0x7fffffff, 1, 0]);
      const claimed =
        name === "png" ? pngClaiming(w, h)
        : name === "jpeg" ? jpegClaiming(bytes, w, h)
        : name === "gif" ? gifClaiming(bytes, w, h)
        : webpClaiming(bytes, Math.max(1, Math.min(w, 1 << 24)), Math.max(1, Math.min(h, 1 << 24)));
      if (p.chance(0.1)) return { kind: "image.bmp.huge-dims", data: request(index, p, { data: b64(bmpClaiming(w, h)), models: { face: {} } }) };
      return send(`huge-dims`, claimed);
    }
  }
};

const AUDIO_FFMPEG_SEEDS = ["mp3", "ogg", "opus", "flac"] as const;

const genWavLying: Generator = ({ index, p }) => {
  const body = toneWav({ seconds: 0.25 }).subarray(44);
  const cases: readonly (readonly [string, Buffer])[] = [
    ["data-size-huge", wavWith({ dataSize: 0xfffffff0 }, body)],
    ["data-size-ffffffff", wavWith({ dataSize: 0xffffffff }, body)],
    ["data-size-zero", wavWith({ dataSize: 0 }, body)],
    ["data-size-odd", wavWith({ dataSize: 7 }, body)],
    ["riff-size-lying", wavWith({ riffSize: 0xffffffff }, body)],
    ["channels-0", wavWith({ channels: 0 }, body)],
    ["channels-65535", wavWith({ channels: 65_535, blockAlign: 2 }, body)],
    ["rate-0", wavWith({ rate: 0 }, body)],
    ["rate-1", wavWith({ rate: 1 }, body)],
    ["rate-4e9", wavWith({ rate: 4_000_000_000 }, body)],
    ["rate-1536000", wavWith({ rate: 1_536_000 }, body)],
    ["bits-0", wavWith({ bits: 0 }, body)],
    ["bits-7", wavWith({ bits: 7 }, body)],
    ["bits-12", wavWith({ bits: 12 }, body)],
    ["bits-64-pcm", wavWith({ bits: 64 }, body)],
    ["bits-65535", wavWith({ bits: 65_535 }, body)],
    ["float-32", wavWith({ format: 3, bits: 32 }, body)],
    ["float-64-nan", wavWith({ format: 3, bits: 64 }, Buffer.alloc(4096, 0xff))],
    ["block-align-0", wavWith({ blockAlign: 0 }, body)],
    ["block-align-65535", wavWith({ blockAlign: 65_535 }, body)],
    ["fmt-size-2", wavWith({ fmtSize: 2 }, body)],
    ["fmt-size-huge", wavWith({ fmtSize: 0xfffffff0 }, body)],
    ["format-adpcm", wavWith({ format: 2, bits: 4 }, body)],
    ["format-mulaw", wavWith({ format: 7, bits: 8 }, body)],
    ["format-unknown", wavWith({ format: 0x1234 }, body)],
    ["format-extensible-truncated", wavWith({ format: 0xfffe, fmtSize: 16 }, body)],
    ["no-data-chunk", wavWith({}, Buffer.alloc(0)).subarray(0, 36)],
    ["header-only", wavWith({ dataSize: 1_000_000 }, Buffer.alloc(0))],
    ["long-by-header", wavWith({ rate: 8000, dataSize: 0x7fffffff }, body)],
  ];
  const [name, bytes] = p.one(cases);
  return { kind: `audio.wav.lying.${name}`, data: request(index, p, { data: b64(bytes), models: modelsFor(p, "audio") }) };
};

const genAudio: Generator = (c) => {
  const { index, p, o } = c;
  const r = p.int(10);
  if (r < 3) return genWavLying(c);
  const useWav = p.chance(0.5);
  const available = AUDIO_FFMPEG_SEEDS.filter((s) => o.seeds.media.has(s));
  const name = useWav || available.length === 0 ? p.one(["wav", "wav8k-stereo"]) : p.one(available);
  const bytes = seed(o, name)!;
  const send = (kind: string, data: Buffer) => ({ kind: `audio.${name}.${kind}`, data: request(index, p, { data: b64(data), models: modelsFor(p, "audio") }) });
  switch (r) {
    case 3:
    case 4:
      return send("valid", bytes);
    case 5:
      return send("truncated", truncate(p, bytes));
    case 6:
      return send("bitflip", bitflip(p, bytes));
    case 7:
      return send("smashed", smash(p, bytes));
    case 8: {
      const longName = p.one([...o.seeds.long.keys()].filter((k) => k === "wav" || k === "mp3"));
      return { kind: `audio.${longName}.too-long`, data: request(index, p, { data: b64(o.seeds.long.get(longName)!), models: modelsFor(p, "audio") }) };
    }
    default: {
      const variant = p.int(5);
      const wav =
        variant === 0 ? toneWav({ seconds: 0.3, bits: 8 })
        : variant === 1 ? toneWav({ seconds: 0.3, bits: 24, channels: 3 })
        : variant === 2 ? toneWav({ seconds: 0.2, sampleRate: 192_000, bits: 32 })
        : variant === 3 ? toneWav({ seconds: 0.1, sampleRate: 1_000 })
        // The highest rate the in-process WAV path accepts: resampling it runs on the main thread.
        : toneWav({ seconds: 0.2, sampleRate: 1_536_000 });
      return { kind: `audio.wav.variant-${variant}`, data: request(index, p, { data: b64(wav), models: modelsFor(p, "audio") }) };
    }
  }
};

const genVideo: Generator = ({ index, p, o }) => {
  const available = ["mp4", "webm"].filter((s) => o.seeds.media.has(s));
  if (available.length === 0) return { kind: "video.unavailable", data: request(index, p, { data: b64(Buffer.from("\x00\x00\x00\x18ftypisom", "latin1")), models: { face: {} } }) };
  const name = p.one(available);
  const bytes = seed(o, name)!;
  const send = (kind: string, data: Buffer) => ({ kind: `video.${name}.${kind}`, data: request(index, p, { data: b64(data), models: modelsFor(p, "video") }) });
  switch (p.int(7)) {
    case 0:
    case 1:
      return send("valid", bytes);
    case 2:
      return send("truncated", truncate(p, bytes));
    case 3:
      return send("bitflip", bitflip(p, bytes, 32));
    case 4:
      return send("smashed", smash(p, bytes, 32));
    case 5: {
      const long = o.seeds.long.get("mp4");
      if (long !== undefined) return { kind: "video.mp4.too-long", data: request(index, p, { data: b64(long), models: modelsFor(p, "video") }) };
      return send("header-only", bytes.subarray(0, 64));
    }
    default:
      return send("header-only", bytes.subarray(0, p.one([12, 32, 64, 512])));
  }
};

const genPolyglot: Generator = ({ index, p, o }) => {
  const png = seed(o, "png")!;
  const jpeg = seed(o, "jpeg")!;
  const gif = seed(o, "gif")!;
  const wav = seed(o, "wav")!;
  const mp3 = seed(o, "mp3") ?? wav;
  const mp4 = seed(o, "mp4") ?? png;
  const cases: readonly (readonly [string, Buffer])[] = [
    ["png-head+wav", Buffer.concat([png.subarray(0, 33), wav])],
    ["wav-head+png", Buffer.concat([wav.subarray(0, 44), png])],
    ["gif-head+mp3", Buffer.concat([gif.subarray(0, 13), mp3])],
    ["jpeg-soi+mp4", Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff]), mp4])],
    ["id3+png", Buffer.concat([Buffer.from("ID3\x03\x00\x00\x00\x00\x00\x00", "latin1"), png])],
    ["riff-webp+wav-body", Buffer.concat([Buffer.from("RIFF\x00\x00\x00\x00WEBPVP8 ", "latin1"), wav.subarray(44)])],
    ["png+zip-tail", Buffer.concat([png, Buffer.from("PK\x03\x04", "latin1"), p.bytes(200)])],
    ["oggs+jpeg", Buffer.concat([Buffer.from("OggS", "latin1"), jpeg])],
    ["ebml+png", Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), png])],
    ["ftyp+wav", Buffer.concat([Buffer.from("\x00\x00\x00\x14ftypM4A \x00\x00\x00\x00", "latin1"), wav])],
    ["facemesh-json+png", Buffer.concat([Buffer.from("[[[0,0,0]]]"), png])],
    ["html+png", Buffer.concat([Buffer.from("<html><script>alert(1)</script>"), png])],
    ["mpeg-frame-sync+png", Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x00]), png])],
    ["bmp-head+wav", Buffer.concat([bmpClaiming(10, 10).subarray(0, 54), wav])],
    ["fLaC+png", Buffer.concat([Buffer.from("fLaC", "latin1"), png])],
    ["tiff-head+jpeg", Buffer.concat([Buffer.from("II*\x00", "latin1"), jpeg])],
  ];
  const [name, bytes] = p.one(cases);
  const models = p.one([{ face: {} }, { prosody: {} }, { face: {}, prosody: {} }, { burst: {} }, { language: {} }]);
  return { kind: `polyglot.${name}`, data: request(index, p, { data: b64(bytes), models }) };
};

function meshFace(p: Pick, landmarks = 478, coordinates = 3): string {
  const points: string[] = [];
  for (let l = 0; l < landmarks; l++) {
    const c: string[] = [];
    for (let k = 0; k < coordinates; k++) c.push((p.rng() * 2 - 1).toFixed(4));
    points.push(`[${c.join(",")}]`);
  }
  return `[${points.join(",")}]`;
}

/** A valid one-face mesh with one value replaced by `bad` (raw JSON text). */
function meshWithBad(p: Pick, bad: string): string {
  const face = meshFace(p);
  const parts = face.split(",");
  const at = p.int(parts.length);
  parts[at] = parts[at]!.replace(/-?\d+\.\d+/, bad);
  return `[${parts.join(",")}]`;
}

const genFacemesh: Generator = ({ index, p, o }) => {
  const bads = ['"NaN"', "1e309", "-1e309", "null", "true", '"1"', "{}", "[]", "-0", "1e308", '"\\ud800"'];
  let name: string;
  let mesh: string;
  switch (p.int(8)) {
    case 0:
      name = "valid";
      mesh = `[${meshFace(p)}]`;
      break;
    case 1: {
      const bad = p.one(bads);
      name = `bad-value.${bad}`;
      mesh = meshWithBad(p, bad);
      break;
    }
    case 2: {
      const [n, landmarks, coordinates] = p.one([[1, 477, 3], [1, 479, 3], [1, 478, 2], [1, 478, 4], [2, 1, 3]] as const);
      name = `wrong-shape.${landmarks}x${coordinates}`;
      mesh = `[${Array.from({ length: n }, () => meshFace(p, landmarks, coordinates)).join(",")}]`;
      break;
    }
    case 3:
      name = "wrong-shape.literal";
      mesh = p.one(["[]", "[[]]", "[[[]]]", "[1,2,3]", "[[1,2,3]]", "[null]", "[[null]]", '[["a"]]', "[{}]", "[[[1,2,3]],5]"]);
      break;
    case 4:
      name = "too-many-faces.1000-tiny";
      mesh = `[${Array.from({ length: 1000 }, () => "[[0,0,0]]").join(",")}]`;
      break;
    case 5:
      name = `too-many-faces.${o.maxFacemeshFaces + 1}-full`;
      mesh = `[${Array.from({ length: o.maxFacemeshFaces + 1 }, () => meshFace(p)).join(",")}]`;
      break;
    case 6:
      name = "valid.max-faces";
      mesh = `[${Array.from({ length: Math.min(o.maxFacemeshFaces, 3) }, () => meshFace(p)).join(",")}]`;
      break;
    default:
      name = "ragged";
      mesh = `[${meshFace(p)},${meshFace(p, 478, 3).replace(/\]\]$/, "],[1]]")}]`;
  }
  const encoding = p.int(3);
  const models = p.chance(0.9) ? { facemesh: {} } : { language: {} };
  // JSON text with raw numbers; the frame is assembled by hand so 1e309 and "NaN" survive as written.
  const id = p.chance(0.95) ? `"payload_id":"fz-${index}",` : "";
  const dataJson =
    encoding === 0 ? JSON.stringify(mesh) // raw JSON in a string, raw_text false (Python SDK)
    : JSON.stringify(Buffer.from(mesh).toString("base64")); // base64(JSON), raw_text false or true (TS SDK)
  const rawText = encoding === 2;
  return {
    kind: `facemesh.${name}.${["raw", "base64", "base64-raw-text"][encoding]}`,
    data: `{${id}"data":${dataJson},"raw_text":${rawText},"models":${JSON.stringify(models)}}`,
  };
};

const genBinary: Generator = ({ index, p, o }) => {
  switch (p.int(6)) {
    case 0:
      return { kind: "binary.random", data: p.bytes(p.range(0, 2048)) };
    case 1:
      return { kind: "binary.valid-json", data: Buffer.from(request(index, p, { data: "hello", raw_text: true, models: { language: {} } })) };
    case 2:
      return { kind: "binary.invalid-utf8-json", data: Buffer.concat([Buffer.from(`{"payload_id":"fz-${index}","data":"`), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('","raw_text":true,"models":{"language":{}}}')]) };
    case 3:
      return { kind: "binary.empty", data: Buffer.alloc(0) };
    case 4:
      return { kind: "binary.png", data: seed(o, "png")! };
    default:
      return { kind: "binary.utf16le-json", data: Buffer.from(`{"job_details":true}`, "utf16le") };
  }
};

const genControl: Generator = ({ index, p }) => {
  const cases: readonly (readonly [string, Record<string, unknown>])[] = [
    ["empty-object", {}],
    ["reset", { reset_stream: true }],
    ["job-details", { job_details: true }],
    ["both", { reset_stream: 1, job_details: 1, stream_window_ms: 500 }],
    ["null-everything", { data: null, models: null, raw_text: null, reset_stream: null, job_details: null, stream_window_ms: null }],
    ["models-without-data", { models: { language: {}, face: {} } }],
    ["data-without-models", { data: "hello", raw_text: true }],
    ["data-empty-models", { data: "hello", raw_text: true, models: {} }],
    ["null-models-entries", { data: "hello", raw_text: true, models: { language: null, face: null } }],
    ["all-models-text", { data: "hello", raw_text: true, models: { language: {}, face: {}, prosody: {}, burst: {}, facemesh: {} } }],
  ];
  const [name, fields] = p.one(cases);
  return { kind: `control.${name}`, data: JSON.stringify({ payload_id: `fz-${index}`, ...fields }) };
};

/** Generators with relative weights: cheap structural cases dominate, ffmpeg-bound media are rarer. */
const GENERATORS: readonly (readonly [Generator, number])[] = [
  [genInvalidJson, 10],
  [genDeep, 2],
  [genNonObject, 3],
  [genWrongType, 14],
  [genRange, 5],
  [genKeys, 8],
  [genHugeString, 2],
  [genOversize, 0.5],
  [genBase64, 8],
  [genText, 12],
  [genImage, 10],
  [genAudio, 9],
  [genVideo, 2.5],
  [genPolyglot, 5],
  [genFacemesh, 7],
  [genBinary, 4],
  [genControl, 4],
];
const TOTAL_WEIGHT = GENERATORS.reduce((n, [, w]) => n + w, 0);

/** A function returning frame i for this seed; pure apart from reading `seeds`. */
export function frameGenerator(options: FrameGeneratorOptions): (index: number) => FuzzFrame {
  for (const name of ["png", "jpeg", "webp", "gif", "wav", "wav8k-stereo"]) {
    if (!options.seeds.media.has(name)) throw new Error(`fuzz seed '${name}' is missing`);
  }
  return (index: number) => {
    const p = new Pick(rngFor(options.seed, index));
    let r = p.rng() * TOTAL_WEIGHT;
    let generator = GENERATORS[0]![0];
    for (const [g, w] of GENERATORS) {
      if (r < w) {
        generator = g;
        break;
      }
      r -= w;
    }
    const { kind, data } = generator({ index, p, o: options });
    return { index, kind, data };
  };
}

/** The first-level family of a kind ("image.png.bitflip" → "image"), for summaries. */
export function kindFamily(kind: string): string {
  return kind.split(".")[0]!;
}
