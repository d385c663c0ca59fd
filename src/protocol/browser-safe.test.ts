// The protocol module a web page imports must not need Node: every module reachable from ./index.js
// (relative imports only, no bare or node: specifiers) and none using Buffer or process.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { fileURLToPath } from "node:url";

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*["']([^"']+)["']/g;

function reachable(entry: URL): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (url: URL) => {
    const path = fileURLToPath(url);
    if (seen.has(path)) return;
    const source = readFileSync(path, "utf8");
    seen.set(path, source);
    for (const [, specifier] of source.matchAll(IMPORT)) {
      if (specifier!.startsWith(".")) visit(new URL(specifier!, url));
      else seen.set(`${path} -> ${specifier}`, "");
    }
  };
  visit(entry);
  return seen;
}

it("src/protocol/index imports nothing of Node, directly or through its modules", () => {
  const modules = reachable(new URL("./index.js", import.meta.url));
  assert.ok(modules.size >= 6);
  for (const [path, source] of modules) {
    assert.ok(!path.includes(" -> "), `a non-relative import: ${path}`);
    assert.ok(!path.includes("/node/"), `the Node-only half is reached: ${path}`);
    const code = source.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, "");
    assert.doesNotMatch(code, /\bBuffer\b|\bprocess\./, path);
  }
});
