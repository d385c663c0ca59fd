// The eval command's exit status: an evaluation that could not run says so, not only in its JSON.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const MAIN = fileURLToPath(new URL("./main.js", import.meta.url));

describe("npm run eval", () => {
  it("exits 2 with the reason on stderr when the data is missing", () => {
    const run = spawnSync(process.execPath, [MAIN, "face", "--shared", "/nonexistent-moodwire-data"], { encoding: "utf8" });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /eval face: not run: .*nonexistent-moodwire-data.*MOODWIRE_SHARED/);
    assert.ok("skipped" in (JSON.parse(run.stdout.trim().split("\n").at(-1)!) as object));
  });

  it("exits 2 for a model it has no evaluation for", () => {
    assert.equal(spawnSync(process.execPath, [MAIN, "nosuchmodel"], { encoding: "utf8" }).status, 2);
  });
});
