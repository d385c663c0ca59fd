// The README's TypeScript examples run as copied: each ```ts block is written to a file inside the
// package (so `hume` and `moodwire/client` resolve as they would for a user) and run with Node against
// a test server; the only edit is the port (the README says 8000).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import sharp from "sharp";
import { PACKAGE_ROOT } from "../../src/runtime/paths.js";
import { startTestServer } from "../conformance/helpers.js";
import { fakeFace, fakeLanguage } from "../support/fake-models.js";

function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** Runs `source` as an ES module from `dir` (its working directory too); resolves with its output. */
function runModule(dir: string, source: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(dir, "example.mjs");
  writeFileSync(file, source);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: dir, env: { PATH: process.env.PATH ?? "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("README examples", () => {
  it("every TypeScript block runs as copied against a server and exits by itself", async () => {
    const blocks = typescriptBlocks(readFileSync(`${PACKAGE_ROOT}README.md`, "utf8"));
    assert.ok(blocks.length >= 2, "the README has its TypeScript examples");
    const server = await startTestServer({ factories: [fakeLanguage, fakeFace] });
    // Inside the package, compiled output's neighbour, so package imports resolve as for a user.
    const dir = mkdtempSync(join(PACKAGE_ROOT, "dist", "readme-example-"));
    try {
      // The examples read a face photo from the working directory.
      await sharp({ create: { width: 64, height: 64, channels: 3, background: "#c08060" } }).jpeg().toFile(join(dir, "face.jpg"));
      for (const block of blocks) {
        assert.match(block, /127\.0\.0\.1:8000/, "an example names the default address");
        const run = await runModule(dir, block.replaceAll("127.0.0.1:8000", `127.0.0.1:${server.port}`));
        assert.equal(run.code, 0, `${block}\n--- stderr:\n${run.stderr}`);
      }
    } finally {
      await server.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
