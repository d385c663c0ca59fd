// The `moodwire` command's own surface: version, help and the codes list, as a user types them.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { PACKAGE_ROOT } from "../runtime/paths.js";

const CLI = fileURLToPath(new URL("./main.js", import.meta.url));

function moodwire(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("moodwire command", () => {
  it("prints its version for --version, -v and version", () => {
    const { version } = JSON.parse(readFileSync(`${PACKAGE_ROOT}package.json`, "utf8")) as { version: string };
    for (const flag of ["--version", "-v", "version"]) {
      const run = moodwire(flag);
      assert.equal(run.status, 0, flag);
      assert.equal(run.stdout, `moodwire ${version}\n`, flag);
    }
  });

  it("'codes --help' explains the command instead of listing codes; codes lists them", () => {
    const help = moodwire("codes", "--help");
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: moodwire codes/);
    assert.doesNotMatch(help.stdout, /E0100/);
    const list = moodwire("codes");
    assert.equal(list.status, 0);
    assert.match(list.stdout, /^E0100 {2}/m);
    assert.equal(moodwire("codes", "--verbose").status, 2);
  });

  it("an unknown or missing command prints the usage on stderr and exits 2", () => {
    for (const args of [["nope"], [], ["constructor"]]) {
      const run = moodwire(...args);
      assert.equal(run.status, 2, args.join(" "));
      assert.match(run.stderr, /Usage: moodwire <command>/);
      assert.equal(run.stdout, "");
    }
    assert.equal(moodwire("--help").status, 0);
  });
});
