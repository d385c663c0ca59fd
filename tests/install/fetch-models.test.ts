// scripts/fetch-models.mjs (npm install's postinstall): third-party weights come from a mirror or their
// official URL, only with their pinned sha256, and a failure leaves the install working.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { PACKAGE_ROOT, sharedDirectory } from "../../src/runtime/paths.js";

const SCRIPT = join(PACKAGE_ROOT, "scripts", "fetch-models.mjs");
const FILES = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "models", "face", "third-party.json"), "utf8")) as { files: { path: string; sha256: string }[] }).files;
const work = mkdtempSync(join(tmpdir(), "moodwire-fetch-"));
after(() => rmSync(work, { recursive: true, force: true }));

const sha256 = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Runs the script with `mirror` into a fresh vendor folder. */
function fetchModels(mirror: string): { vendor: string; status: number | null; stderr: string } {
  const vendor = mkdtempSync(join(work, "vendor-"));
  const result = spawnSync("node", [SCRIPT], { env: { ...process.env, MOODWIRE_VENDOR_DIR: vendor, MOODWIRE_MODEL_MIRROR: mirror }, encoding: "utf8", timeout: 120_000 });
  return { vendor, status: result.status, stderr: result.stderr };
}

describe("fetch-models", () => {
  const mirror = join(sharedDirectory(), "models");
  const T = { timeout: 150_000 };

  it("installs every file from the mirror, each matching its pinned sha256", { ...T, skip: existsSync(join(mirror, FILES[0]!.path)) ? false : `no mirror at ${mirror} (set MOODWIRE_SHARED)` }, () => {
    const { vendor, status } = fetchModels(mirror);
    assert.equal(status, 0);
    for (const file of FILES) assert.equal(sha256(join(vendor, file.path)), file.sha256, file.path);
  });

  it("never installs a mirror file whose bytes differ, and the install still succeeds", T, () => {
    const bad = join(work, "bad-mirror");
    for (const file of FILES) {
      mkdirSync(dirname(join(bad, file.path)), { recursive: true });
      writeFileSync(join(bad, file.path), "not the model");
    }
    const { vendor, status, stderr } = fetchModels(bad);
    assert.equal(status, 0);
    for (const file of FILES) {
      const target = join(vendor, file.path);
      // Offline nothing is installed and the script says the model stays off; online the official file is.
      if (existsSync(target)) assert.equal(sha256(target), file.sha256);
      else assert.match(stderr, new RegExp(`could not install ${file.path}.*stays off`));
    }
  });
});
