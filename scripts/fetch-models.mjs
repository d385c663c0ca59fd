// Installs the third-party weights that npm packages do not carry (each model's
// models/<name>/third-party.json) into models/vendor/, each checked against its pinned sha256: from a
// local mirror directory (MOODWIRE_MODEL_MIRROR, laid out like models/vendor/; default: the models/ folder
// of the shared data directory, MOODWIRE_SHARED or ../shared/) when it has the file, else from the file's
// official URL. Never fails the install: a model whose files are missing stays off,
// and the server says why when it starts.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const vendor = process.env.MOODWIRE_VENDOR_DIR ?? join(root, "models", "vendor");
const mirror = process.env.MOODWIRE_MODEL_MIRROR ?? join(process.env.MOODWIRE_SHARED ?? join(root, "..", "shared"), "models");
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

async function download(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

let missing = 0;
for (const model of readdirSync(join(root, "models"))) {
  const manifest = join(root, "models", model, "third-party.json");
  if (!existsSync(manifest)) continue;
  for (const file of JSON.parse(readFileSync(manifest, "utf8")).files) {
    const target = join(vendor, file.path);
    if (existsSync(target) && sha256(readFileSync(target)) === file.sha256) continue;
    mkdirSync(dirname(target), { recursive: true });
    const mirrored = join(mirror, file.path);
    if (existsSync(mirrored) && sha256(readFileSync(mirrored)) === file.sha256) {
      copyFileSync(mirrored, target);
      console.error(`moodwire: ${model}: ${file.path} copied from the mirror ${mirror}`);
      continue;
    }
    try {
      const bytes = await download(file.url);
      if (sha256(bytes) !== file.sha256) throw new Error(`sha256 ${sha256(bytes)} is not the pinned ${file.sha256}`);
      writeFileSync(`${target}.part`, bytes);
      renameSync(`${target}.part`, target);
      console.error(`moodwire: ${model}: ${file.path} downloaded from ${file.url}`);
    } catch (error) {
      missing++;
      console.error(`moodwire: ${model}: could not install ${file.path}: not in the mirror ${mirror} (set MOODWIRE_MODEL_MIRROR), ` +
        `and ${file.url} failed (${error instanceof Error ? error.message : error}). ` +
        `The '${model}' model stays off until it is installed (npm run fetch-models).`);
    }
  }
}
// What the folder holds and under which licence: each file's model card is models/<model>/MODEL_CARD.md.
if (existsSync(vendor)) {
  const rows = readdirSync(join(root, "models")).flatMap((model) => {
    const manifest = join(root, "models", model, "third-party.json");
    if (!existsSync(manifest)) return [];
    return JSON.parse(readFileSync(manifest, "utf8")).files.map((f) => `| \`${f.path}\` | ${model} (models/${model}/MODEL_CARD.md) | ${f.what} | ${f.licence} | ${f.url} | \`${f.sha256}\` |`);
  });
  writeFileSync(join(vendor, "MODEL_CARD.md"), ["# Third-party weights (installed by scripts/fetch-models.mjs, never committed)", "",
    "| file | used by | what | licence | official URL | sha256 |", "|---|---|---|---|---|---|", ...rows, ""].join("\n"));
}
if (missing > 0) console.error(`moodwire: ${missing} third-party file(s) missing; the server starts without the models that need them.`);
