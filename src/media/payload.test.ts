import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "../protocol/index.js";
import { decodeBase64Strict, stripDataUrlPrefix } from "./base64.js";
import { MediaError } from "./errors.js";
import { codePointLength, readPayload } from "./payload.js";
import { LIMITS, limits, makeWav } from "../../tests/support/media.js";

function face(value = 0.5): number[][] {
  return Array.from({ length: 478 }, (_, i) => [value, i / 478, -0.01]);
}

function throwsCode(fn: () => unknown, code: string, message?: RegExp | string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof MediaError, `expected MediaError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (typeof message === "string") assert.equal(error.message, message);
    else if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}

const b64 = (text: string | Buffer): string => Buffer.from(text).toString("base64");

describe("base64", () => {
  const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x01, 0x02, 0x03]);

  it("decodes standard, URL-safe, unpadded and whitespace-wrapped base64", () => {
    const standard = bytes.toString("base64");
    assert.ok(standard.includes("+") || standard.includes("/"));
    assert.deepEqual(decodeBase64Strict(standard), bytes);
    assert.deepEqual(decodeBase64Strict(bytes.toString("base64url")), bytes);
    assert.deepEqual(decodeBase64Strict(standard.replace(/=+$/, "")), bytes);
    assert.deepEqual(decodeBase64Strict(` ${standard.slice(0, 4)}\n${standard.slice(4, 8)}\r\n\t${standard.slice(8)}\n`), bytes);
  });

  it("rejects other characters, impossible lengths and misplaced padding", () => {
    assert.equal(decodeBase64Strict("abc$"), undefined);
    assert.equal(decodeBase64Strict("abcde"), undefined); // length ≡ 1 (mod 4)
    assert.equal(decodeBase64Strict("ab=c"), undefined);
    assert.equal(decodeBase64Strict("abc=="), undefined);
    assert.equal(decodeBase64Strict("ab==="), undefined);
    assert.equal(decodeBase64Strict("héllo"), undefined);
  });

  it("strips data-URL prefixes only at the start", () => {
    assert.equal(stripDataUrlPrefix("data:audio/wav;base64,UklG"), "UklG");
    assert.equal(stripDataUrlPrefix("data:application/octet-stream;base64,AAAA"), "AAAA");
    assert.equal(stripDataUrlPrefix("data:;base64,AAAA"), "AAAA");
    assert.equal(stripDataUrlPrefix("data:audio/webm;codecs=opus;base64,GkXf"), "GkXf");
    assert.equal(stripDataUrlPrefix("AAAA"), "AAAA");
  });

  it("readPayload: E0201 with the documented message for non-base64 data", () => {
    throwsCode(() => readPayload("this is not base64!", false, LIMITS), ErrorCode.InvalidBase64, "Media could not be decoded as a Base64 encoded string.");
    throwsCode(() => readPayload("abcde", false, LIMITS), ErrorCode.InvalidBase64);
  });

  it("readPayload: a data URL of a WAV is audio", () => {
    const wav = makeWav({ bits: 16, rate: 16000, frames: 160 });
    const payload = readPayload(`data:audio/wav;base64,${wav.toString("base64")}`, false, LIMITS);
    assert.equal(payload.kind, "audio");
    assert.ok(payload.kind === "audio" && payload.container === "wav" && payload.bytes.equals(wav));
  });
});

describe("text", () => {
  it("raw text is text, unchanged", () => {
    assert.deepEqual(readPayload("Hello, world!", true, LIMITS), { kind: "text", text: "Hello, world!" });
    assert.deepEqual(readPayload("[not json", true, LIMITS), { kind: "text", text: "[not json" });
    assert.deepEqual(readPayload("[1, 2, 3]", true, LIMITS), { kind: "text", text: "[1, 2, 3]" });
    assert.deepEqual(readPayload("Whatever", true, LIMITS), { kind: "text", text: "Whatever" });
  });

  it("base64 of a UTF-8 .txt file is text (legacy send_file)", () => {
    assert.deepEqual(readPayload(b64("I am so happy today. Ünïcödé ✓"), false, LIMITS), { kind: "text", text: "I am so happy today. Ünïcödé ✓" });
    // UTF-8 BOM is dropped.
    assert.deepEqual(readPayload(b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("hi")])), false, LIMITS), { kind: "text", text: "hi" });
    // UTF-16 with a BOM.
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("héllo", "utf16le")]);
    assert.deepEqual(readPayload(utf16.toString("base64"), false, LIMITS), { kind: "text", text: "héllo" });
  });

  it("a text that starts like BMP ('BM') is still text", () => {
    assert.deepEqual(readPayload(b64("BMW makes cars, and this sentence is long enough."), false, LIMITS), {
      kind: "text",
      text: "BMW makes cars, and this sentence is long enough.",
    });
  });

  it("counts code points: an emoji is one character", () => {
    assert.equal(codePointLength("😀"), 1);
    assert.equal(codePointLength("a😀b"), 3);
    const small = limits({ maxTextChars: 5 });
    assert.equal(readPayload("😀😀😀😀😀", true, small).kind, "text");
    throwsCode(() => readPayload("😀😀😀😀😀😀", true, small), ErrorCode.TextTooLong, /6 characters.*limit is 5 characters/);
    throwsCode(() => readPayload(b64("abcdef"), false, small), ErrorCode.TextTooLong, /6.*5/);
  });

  it("the default limit is 10,000 code points", () => {
    assert.equal(readPayload("x".repeat(10_000), true, LIMITS).kind, "text");
    throwsCode(() => readPayload("x".repeat(10_001), true, LIMITS), ErrorCode.TextTooLong, /10001.*10000/);
  });

  it("the limit holds after NFKC normalization too: U+FDFA expands to 18 characters", () => {
    throwsCode(
      () => readPayload("\uFDFA".repeat(10_000), true, LIMITS),
      ErrorCode.TextTooLong,
      "Text is 180000 characters long after Unicode normalization (NFKC); the limit is 10000 characters.",
    );
    // Within the limit as sent (600), over it once normalized (10,800); base64 text is checked the same way.
    throwsCode(() => readPayload("\uFDFA".repeat(600), true, LIMITS), ErrorCode.TextTooLong, /10800 characters.*NFKC.*limit is 10000/);
    throwsCode(() => readPayload(b64("\uFDFA".repeat(600)), false, LIMITS), ErrorCode.TextTooLong, /10800.*NFKC/);
    // Exactly the limit once normalized (555 × 18 + 10) passes, and the text is passed on as sent.
    const atLimit = "\uFDFA".repeat(555) + "x".repeat(10);
    assert.deepEqual(readPayload(atLimit, true, LIMITS), { kind: "text", text: atLimit });
    throwsCode(() => readPayload(atLimit + "x", true, LIMITS), ErrorCode.TextTooLong, /10001.*NFKC.*10000/);
    assert.equal(readPayload("x".repeat(10_000), true, LIMITS).kind, "text");
  });

  it("after NFKC normalization, code points are counted, not UTF-16 units", () => {
    // Six emoji are 12 UTF-16 units but 6 characters, within a limit of 10.
    assert.equal(readPayload("😀".repeat(6), true, limits({ maxTextChars: 10 })).kind, "text");
    assert.equal(readPayload("\uFB03".repeat(3) + "😀".repeat(4), true, limits({ maxTextChars: 13 })).kind, "text");
    throwsCode(() => readPayload("\uFB03".repeat(3) + "😀".repeat(4), true, limits({ maxTextChars: 12 })), ErrorCode.TextTooLong, /13 characters.*NFKC/);
  });

  it("replaces lone surrogates with U+FFFD instead of failing", () => {
    assert.deepEqual(readPayload("a\uD800b\uDC00c😀", true, LIMITS), { kind: "text", text: "a\uFFFDb\uFFFDc😀" });
    assert.deepEqual(readPayload("end\uD83D", true, LIMITS), { kind: "text", text: "end\uFFFD" });
  });

  it("binary that is no known format is E0200 with the documented message", () => {
    throwsCode(() => readPayload(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 250, 251]).toString("base64"), false, LIMITS), ErrorCode.UnknownMedia, "Failed to parse data as a valid media file.");
    // Invalid UTF-8 without NULs.
    throwsCode(() => readPayload(Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0x41, 0x42]).toString("base64"), false, LIMITS), ErrorCode.UnknownMedia);
    // Raw 16-bit PCM without a WAV header (spec §2.6).
    const pcm = Buffer.alloc(3200);
    for (let i = 0; i < 1600; i++) pcm.writeInt16LE(Math.round(Math.sin(i / 5) * 8000), i * 2);
    throwsCode(() => readPayload(pcm.toString("base64"), false, LIMITS), ErrorCode.UnknownMedia);
    throwsCode(() => readPayload("", false, LIMITS), ErrorCode.UnknownMedia);
  });
});

describe("facemesh", () => {
  const mesh = [face(0.25), face(0.75)];
  const json = JSON.stringify(mesh);

  it("accepts raw JSON with raw_text false (Python send_facemesh)", () => {
    assert.deepEqual(readPayload(json, false, LIMITS), { kind: "facemesh", faces: mesh });
    assert.deepEqual(readPayload(`  \n${json}`, false, LIMITS), { kind: "facemesh", faces: mesh });
  });

  it("accepts base64(JSON) with raw_text false (legacy SDK, send_file of a .json)", () => {
    assert.deepEqual(readPayload(b64(json), false, LIMITS), { kind: "facemesh", faces: mesh });
    assert.deepEqual(readPayload(`data:application/json;base64,${b64(json)}`, false, LIMITS), { kind: "facemesh", faces: mesh });
  });

  it("accepts base64(JSON) with raw_text true (TS sendFacemesh) and raw JSON with raw_text true", () => {
    assert.deepEqual(readPayload(b64(json), true, LIMITS), { kind: "facemesh", faces: mesh });
    assert.deepEqual(readPayload(json, true, LIMITS), { kind: "facemesh", faces: mesh });
  });

  it("rejects wrong shapes with E0207", () => {
    const bad: unknown[] = [
      [face().slice(1)], // 477 landmarks
      [face().map((p) => p.slice(0, 2))], // 2 coordinates
      [face().map((p) => [...p, 0])], // 4 coordinates
      [[[[1, 2, 3]]]], // nested junk
      [face(), "face"],
      [[...face().slice(1), { x: 1, y: 2, z: 3 }]],
    ];
    for (const value of bad) {
      const text = JSON.stringify(value);
      throwsCode(() => readPayload(text, false, LIMITS), ErrorCode.InvalidFacemesh, /shape \(n_faces, 478, 3\)/);
      throwsCode(() => readPayload(b64(text), true, LIMITS), ErrorCode.InvalidFacemesh);
    }
    throwsCode(() => readPayload("[]", false, LIMITS), ErrorCode.InvalidFacemesh, /no faces/);
  });

  it("rejects non-finite and non-numeric values", () => {
    const withValue = (literal: string): string => {
      const text = JSON.stringify([face()]);
      return text.replace("0.5", literal);
    };
    for (const literal of ['"NaN"', '"1.0"', "null", "true", "1e999", "-1e999", "[1]", "{}"]) {
      throwsCode(() => readPayload(withValue(literal), false, LIMITS), ErrorCode.InvalidFacemesh, /finite number|3 numbers/);
    }
    // Not JSON at all once it has a bare NaN: it is then neither facemesh nor base64.
    throwsCode(() => readPayload(withValue("NaN"), false, LIMITS), ErrorCode.InvalidBase64);
  });

  it("enforces the face limit", () => {
    const eleven = JSON.stringify(Array.from({ length: 11 }, () => face()));
    throwsCode(() => readPayload(eleven, false, LIMITS), ErrorCode.InvalidFacemesh, "Facemesh data has 11 faces; the limit is 10 faces.");
    const ten = Array.from({ length: 10 }, () => face());
    assert.equal(readPayload(JSON.stringify(ten), false, LIMITS).kind, "facemesh");
  });
});
