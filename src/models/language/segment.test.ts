import assert from "node:assert/strict";
import { test } from "node:test";
import { LANGUAGE_GRANULARITIES } from "../../protocol/index.js";
import { passage, segment, sentences, turns, words, type Segment } from "./segment.js";

function texts(segments: Segment[]): string[] {
  return segments.map((s) => s.text);
}

function assertOffsets(text: string, segments: Segment[]): void {
  const cps = [...text];
  for (const s of segments) {
    assert.equal(cps.slice(s.begin, s.end).join(""), s.text, `${JSON.stringify(text)} → ${JSON.stringify(s)}`);
    assert.ok(s.begin < s.end);
  }
  for (let i = 1; i < segments.length; i++) assert.ok((segments[i] as Segment).begin >= (segments[i - 1] as Segment).end);
}

const SAMPLES = [
  "I love this!",
  "Hello 😀 world, naïve café! 👨‍👩‍👧 family time.",
  "Dr. Smith arrived, e.g. at noon. Then he left.",
  "line one\r\nline two\r\n\r\nline three",
  "multiple   spaces\t\tand tabs",
  "Wait... what? No way!!! Really?!",
  "",
  "   \n\t  ",
  "Crème brûlée 🇫🇷 — à la française…",
  "x",
];

test("offsets are code points and slice back to the text, for every granularity", () => {
  for (const text of SAMPLES) {
    for (const granularity of LANGUAGE_GRANULARITIES) assertOffsets(text, segment(text, granularity).units);
    assertOffsets(text, words(text));
    assertOffsets(text, sentences(text));
    assertOffsets(text, turns(text));
  }
});

test("emoji count as one code point each and offsets follow them", () => {
  const text = "😀 happy 🎉 day";
  const ws = words(text);
  assert.deepEqual(texts(ws), ["😀", "happy", "🎉", "day"]);
  assert.deepEqual(ws.map((w) => [w.begin, w.end]), [[0, 1], [2, 7], [8, 9], [10, 13]]);
});

test("words drop surrounding punctuation but keep inner apostrophes, hyphens and numbers", () => {
  assert.deepEqual(texts(words("I can't believe it's state-of-the-art!")), ["I", "can't", "believe", "it's", "state-of-the-art"]);
  assert.deepEqual(texts(words('"Hello," she said (quietly).')), ["Hello", "she", "said", "quietly"]);
  assert.deepEqual(texts(words("It costs $19.99, 100% sure.")), ["It", "costs", "$19.99", "100%", "sure"]);
  assert.deepEqual(texts(words("#blessed @user")), ["#blessed", "@user"]);
  assert.deepEqual(texts(words("good—bad")), ["good", "bad"]);
  assert.deepEqual(texts(words("... !!! ?")), []);
});

test("abbreviations keep their period as part of the word", () => {
  assert.deepEqual(texts(words("Dr. Who, e.g. the show, in the U.S.A.")), ["Dr.", "Who", "e.g.", "the", "show", "in", "the", "U.S.A."]);
  assert.deepEqual(texts(words("me and I.")), ["me", "and", "I"]);
});

test("emoticons are words", () => {
  assert.deepEqual(texts(words("great :) but sad :( <3")), ["great", ":)", "but", "sad", ":(", "<3"]);
});

test("accents: precomposed and combining forms keep their marks inside the word", () => {
  const text = "cafe\u0301 naïve";
  const ws = words(text);
  assert.deepEqual(texts(ws), ["cafe\u0301", "naïve"]);
  assert.deepEqual(ws.map((w) => [w.begin, w.end]), [[0, 5], [6, 11]]);
});

test("sentences split at terminators but not after abbreviations, decimals or inside ellipses", () => {
  assert.deepEqual(texts(sentences("Dr. Smith is here. He paid $3.50 for it! Is that ok? Yes.")), [
    "Dr. Smith is here.", "He paid $3.50 for it!", "Is that ok?", "Yes.",
  ]);
  assert.deepEqual(texts(sentences("Use a fruit, e.g. an apple. Or not.")), ["Use a fruit, e.g. an apple.", "Or not."]);
  assert.deepEqual(texts(sentences("I don't know... maybe later. Wait... What?!")), [
    "I don't know... maybe later.", "Wait...", "What?!",
  ]);
  assert.deepEqual(texts(sentences("She said \"no.\" Then she left…")), ["She said \"no.\"", "Then she left…"]);
  assert.deepEqual(texts(sentences("J. R. R. Tolkien wrote it. The end")), ["J. R. R. Tolkien wrote it.", "The end"]);
  assert.deepEqual(texts(sentences("no punctuation at all")), ["no punctuation at all"]);
  assert.deepEqual(texts(sentences("我很高兴。你呢？")), ["我很高兴。", "你呢？"]);
});

test("line breaks end sentences and make conversational turns (CRLF included)", () => {
  const text = "Hi there\r\nHow are you? Fine.\r\n\r\n  Bye  ";
  assert.deepEqual(texts(sentences(text)), ["Hi there", "How are you?", "Fine.", "Bye"]);
  assert.deepEqual(texts(turns(text)), ["Hi there", "How are you? Fine.", "Bye"]);
  assertOffsets(text, turns(text));
  assert.deepEqual(turns(text).map((t) => t.begin), [0, 10, 34]);
});

test("multiple spaces are kept inside a unit and trimmed at its edges", () => {
  const text = "  so   many    spaces  ";
  const whole = passage(text);
  assert.ok(whole !== null);
  assert.equal(whole.text, "so   many    spaces");
  assert.equal(whole.begin, 2);
  assert.deepEqual(texts(words(text)), ["so", "many", "spaces"]);
});

test("empty and whitespace-only text has no units at any granularity", () => {
  for (const text of ["", " ", "\n\r\n", "\t  \t"]) {
    for (const granularity of LANGUAGE_GRANULARITIES) assert.deepEqual(segment(text, granularity).units, []);
    assert.equal(passage(text), null);
  }
});

test("units without words (pure punctuation) are dropped", () => {
  assert.deepEqual(texts(segment("Great. ... !!!", "sentence").units), ["Great."]);
  assert.deepEqual(segment("...", "passage").units, []);
  assert.deepEqual(segment("?!", "word").units, []);
});

test("granularities: utterance equals sentence; passage is the trimmed whole text", () => {
  const text = " One. Two!\nThree ";
  assert.deepEqual(segment(text, "utterance").units, segment(text, "sentence").units);
  assert.deepEqual(texts(segment(text, "passage").units), ["One. Two!\nThree"]);
  assert.deepEqual(texts(segment(text, "conversational_turn").units), ["One. Two!", "Three"]);
  assert.deepEqual(texts(segment(text, "word").units), ["One", "Two", "Three"]);
});
