import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";
import { mulberry32 } from "../../../tests/support/rng.js";
import { PACKAGE_ROOT } from "../../runtime/paths.js";
import { SentencePieceTokenizer } from "./tokenizer.js";
import { loadVocabulary } from "./vocab.js";

const require = createRequire(import.meta.url);
const vocabulary = loadVocabulary();
const ours = new SentencePieceTokenizer(vocabulary);

interface ReferenceTokenizer {
  encode(text: string): number[];
}
const { EmbeddingsModel } = require("@energetic-ai/embeddings") as {
  EmbeddingsModel: new (data: { vocabulary: unknown; model: unknown }) => { tokenizer: ReferenceTokenizer };
};
const reference = new EmbeddingsModel({ vocabulary, model: null }).tokenizer;

const SENTENCES = [
  "Hello world!", "I am so happy today.", "This is the worst day of my life.", "I can't believe you did that...",
  "Thank you so much for your help, I really appreciate it!", "What on earth is going on here?",
  "I'm bored. Nothing to do.", "She felt relief when the results came back negative.",
  "He was furious and slammed the door!!!", "Honestly, I'm not sure what to think about this.",
  "Wow, that's amazing!!!", "Ugh, Mondays.", "I love you ❤️", "That's hilarious 😂😂😂", "I'm so tired 😴",
  "Another meeting that could have been an email 🙄", "👍🏽 nice", "👨‍👩‍👧 family", "🇫🇷 flag",
  "naïve café résumé", "Crème brûlée à la française.", "Ça va? Très bien, merci.", "¿Dónde está la biblioteca?",
  "Straße, Größe, Fußball", "decomposed: cafe\u0301 nai\u0308ve", "Zoë Ångström", "Dvořák and Čapek",
  "The price is $19.99 (before tax).", "Call me at 555-1234 or email foo@example.com", "It's 3:45 pm on 12/25/2023.",
  "I scored 100% on the test!!!", "   leading and trailing spaces   ", "double  spaces  between  words",
  "tab\tseparated\tvalues", "line one\nline two", "windows\r\nline", "a", "I", ".", "!!!", "???", "...", "…", "😀",
  "🙂🙃", "ok", "OK", "LOL", "lmao that's so dumb", "OMG I can't even", "You're an idiot and everyone hates you.",
  "Go to hell.", "I will find you and hurt you.", "What a beautiful sunset over the ocean.",
  "Oh great, just what I needed.", "not bad at all", "un-freaking-believable", "state-of-the-art",
  "e-mail vs. email", "U.S.A. and U.K.", "Mr. Smith went to Washington.", "Dr. Who, e.g. the show.",
  "#blessed #grateful", "@user thanks for the follow!", "https://example.com/path?query=1", "C'est la vie",
  "日本語のテキスト", "中文句子，很好。", "한국어 문장입니다", "Привет, как дела?", "مرحبا بالعالم", "Ελληνικά", "עברית",
  "हिन्दी पाठ", "ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ", "ﬁne ligatures ﬂow", "x² + y² = z²", "½ cup of sugar", "™ ® ©", "℃ and ㎏",
  "— em dash – en dash", "“smart quotes” and ‘single’", "don’t won’t can’t", ":) :( :-) ;)", "<3 </3",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Sooooo goooood", "WHY WOULD YOU DO THAT", "i dunno tbh", "1234567890",
  "3.14159", "0", "007", "The quick brown fox jumps over the lazy dog.", "non\u00a0breaking\u00a0space",
  "zero\u200bwidth", "ideographic\u3000space", "  ", " ", "", "\n", "\t\t", "mixed \t \n whitespace  runs",
  "{json: [1, 2, 3]}", "a_b_c", "~~~***~~~", "¡¡¡Olé!!!", "Ⅻ roman", "①②③", "ǅ digraph", "İstanbul",
  "ﷺ", "𝐁𝐨𝐥𝐝 𝑖𝑡𝑎𝑙𝑖𝑐", "\u0000null", "emoji at end 🎉", "multiple\n\n\nnewlines", "Q&A: who's there?",
];

test("the parity list is varied and about 100 sentences long", () => {
  assert.ok(SENTENCES.length >= 100);
});

test("ids match the reference tokenizer on the parity sentences", () => {
  for (const text of SENTENCES) {
    assert.deepEqual(ours.encode(text), reference.encode(text), JSON.stringify(text));
  }
});

test("ids match the reference tokenizer on pseudo-random strings", () => {
  const alphabet = [..."abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 .,!?'\"-:;()  éèüñçß€£ ́ ̈😂❤️👍🏽中日\t\n"];
  const random = mulberry32(12345);
  const below = (n: number): number => Math.floor(random() * n);
  for (let k = 0; k < 300; k++) {
    const length = below(40);
    let text = "";
    for (let i = 0; i < length; i++) text += alphabet[below(alphabet.length)];
    assert.deepEqual(ours.encode(text), reference.encode(text), JSON.stringify(text));
  }
});

test("ids match the committed parity fixture when present", (t) => {
  const path = `${PACKAGE_ROOT}training/language/fixtures/tokenizer_parity.json`;
  if (!existsSync(path)) {
    t.skip("training/language/fixtures/tokenizer_parity.json not present");
    return;
  }
  const cases = JSON.parse(readFileSync(path, "utf8")) as Array<{ text: string; ids: number[] }>;
  assert.ok(cases.length > 0);
  for (const { text, ids } of cases) assert.deepEqual(ours.encode(text), ids, JSON.stringify(text));
});

test("piece spans are monotone, inside the text and cover every non-space code point", () => {
  for (const text of SENTENCES) {
    const { ids, begins, ends } = ours.tokenize(text);
    const length = [...text].length;
    assert.equal(begins.length, ids.length);
    assert.equal(ends.length, ids.length);
    let previousEnd = 0;
    for (let i = 0; i < ids.length; i++) {
      const begin = begins[i] as number;
      const end = ends[i] as number;
      assert.ok(begin >= 0 && begin <= end && end <= length, `${JSON.stringify(text)} piece ${i}`);
      assert.ok(end >= previousEnd, `${JSON.stringify(text)} piece ${i} goes backwards`);
      previousEnd = end;
    }
    const covered = new Uint8Array(length);
    for (let i = 0; i < ids.length; i++) for (let c = begins[i] as number; c < (ends[i] as number); c++) covered[c] = 1;
    [...text].forEach((ch, c) => {
      if (ch.normalize("NFKC").trim() !== "") assert.equal(covered[c], 1, `${JSON.stringify(text)} code point ${c}`);
    });
  }
});

test("spans point at the words the pieces spell", () => {
  const text = "Hello  wonderful café 😂 world";
  const { ids, begins, ends } = ours.tokenize(text);
  const cps = [...text];
  const spelled = ids.map((_, i) => cps.slice(begins[i], ends[i]).join("").trim());
  assert.equal(spelled.join(""), "Hellowonderfulcafé😂world");
  assert.ok(spelled.includes("world"));
  // The emoji is unknown to the vocabulary: one <unk> piece covering exactly that code point.
  const emoji = cps.indexOf("😂");
  const unk = ids.findIndex((id, i) => id === 0 && begins[i] === emoji);
  assert.ok(unk >= 0);
  assert.equal(ends[unk], emoji + 1);
});

test("normalization-changing input keeps spans on the original text", () => {
  const text = "ﬁne cafe\u0301 ½";
  const { ids, begins, ends } = ours.tokenize(text);
  assert.deepEqual(ids, reference.encode(text));
  assert.equal(Math.max(...ends), [...text].length);
  assert.equal(Math.min(...begins), 0);
});

test("empty text gives no pieces", () => {
  assert.deepEqual(ours.tokenize(""), { ids: [], begins: [], ends: [] });
});
