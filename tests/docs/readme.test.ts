// The README's examples run as copied: each ```ts block is written to a file inside the package (so
// `hume` and `moodwire/client` resolve as they would for a user) and run with Node against a test
// server, the only edit being the port (the README says 8000); the client-install ```sh block is run
// (npm pack, then the install into a fresh project) and the client example runs from that project.
// The quick-start block (apt-get, npm install/start/test) is what CI itself runs.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import sharp from "sharp";
import { PACKAGE_ROOT } from "../../src/runtime/paths.js";
import { startTestServer } from "../conformance/helpers.js";
import { fakeFace, fakeLanguage } from "../support/fake-models.js";

function blocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp(`^\`\`\`${language}\n([\\s\\S]*?)^\`\`\`$`, "gm"))].map((m) => m[1]!);
}

/** Runs a shell command line; resolves with its exit code and output. */
function runShell(command: string, cwd: string): { code: number | null; output: string } {
  const result = spawnSync("sh", ["-c", command], { cwd, encoding: "utf8", timeout: 240_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
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
    const examples = blocks(readFileSync(`${PACKAGE_ROOT}README.md`, "utf8"), "ts");
    assert.ok(examples.length >= 2, "the README has its TypeScript examples");
    const server = await startTestServer({ factories: [fakeLanguage, fakeFace] });
    // Inside the package, compiled output's neighbour, so package imports resolve as for a user.
    const dir = mkdtempSync(join(PACKAGE_ROOT, "dist", "readme-example-"));
    try {
      // The examples read a face photo from the working directory.
      await sharp({ create: { width: 64, height: 64, channels: 3, background: "#c08060" } }).jpeg().toFile(join(dir, "face.jpg"));
      for (const block of examples) {
        assert.match(block, /127\.0\.0\.1:8000/, "an example names the default address");
        const run = await runModule(dir, block.replaceAll("127.0.0.1:8000", `127.0.0.1:${server.port}`));
        assert.equal(run.code, 0, `${block}\n--- stderr:\n${run.stderr}`);
      }
    } finally {
      await server.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the client-install block: npm pack, the install into another project, and the client example from there", { timeout: 300_000 }, async () => {
    const readme = readFileSync(`${PACKAGE_ROOT}README.md`, "utf8");
    const install = blocks(readme, "sh").find((block) => block.includes("npm pack"));
    assert.ok(install !== undefined, "the README has the client-install block");
    const [pack, add] = install.split("\n").filter((line) => line.trim() !== "").map((line) => line.replace(/\s+#.*$/, "").trim()) as [string, string];
    const project = mkdtempSync(join(tmpdir(), "moodwire-client-project-"));
    const server = await startTestServer({ factories: [fakeLanguage, fakeFace] });
    try {
      // Edits: the tarball goes to the project; pack skips `prepare` (dist is built: rebuilding it would
      // rewrite the files this test run loads); the install prefers npm's cache (CI installed the same versions).
      const packed = runShell(`${pack} --ignore-scripts --pack-destination ${project}`, PACKAGE_ROOT);
      assert.equal(packed.code, 0, packed.output);
      const tarball = readdirSync(project).find((name) => name.endsWith(".tgz"))!;
      writeFileSync(join(project, "package.json"), JSON.stringify({ name: "client-project", private: true, type: "module" }));
      const added = runShell(`${add.replace("/path/to/moodwire-0.1.0.tgz", `./${tarball}`)} --prefer-offline --no-audit --no-fund`, project);
      assert.equal(added.code, 0, added.output);
      const example = blocks(readme, "ts").find((block) => block.includes('from "moodwire/client"'))!;
      const run = await runModule(project, example.replaceAll("127.0.0.1:8000", `127.0.0.1:${server.port}`));
      assert.equal(run.code, 0, run.stderr);
    } finally {
      await server.shutdown();
      rmSync(project, { recursive: true, force: true });
    }
  });
});
