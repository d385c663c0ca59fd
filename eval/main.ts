// Evaluation entry point: `node dist/eval/main.js <model> [--shared DIR]`.
// Runs eval/<model>.ts and prints its results as a JSON object on the last line of stdout, and each of
// its bars (met or FAILED, with the figure) on stderr. Exits 1 when a bar failed, 2 when the evaluation
// could not run (its data or weights are missing; the reason is on stderr).

import { existsSync } from "node:fs";
import { barTable } from "./report.js";

export interface EvalResult {
  [key: string]: unknown;
}

export interface EvalModule {
  run(): Promise<EvalResult>;
}

function usage(): never {
  console.error("usage: node dist/eval/main.js <model> [--shared DIR]");
  process.exit(2);
}

const args = process.argv.slice(2);
let model: string | undefined;
for (let i = 0; i < args.length; i++) {
  const arg = args[i] as string;
  if (arg === "--shared") {
    const dir = args[++i];
    if (dir === undefined) usage();
    process.env.MOODWIRE_SHARED = dir;
  } else if (arg.startsWith("--shared=")) {
    const dir = arg.slice("--shared=".length);
    process.env.MOODWIRE_SHARED = dir;
  } else if (model === undefined && /^[a-z][a-z0-9_-]*$/.test(arg)) {
    model = arg;
  } else usage();
}
if (model === undefined) usage();

const moduleUrl = new URL(`./${model}.js`, import.meta.url);
if (model === "main" || model === "metrics" || !existsSync(moduleUrl)) {
  console.error(`no evaluation for model '${model}'`);
  process.exit(2);
}
const evaluation = (await import(moduleUrl.href)) as EvalModule;
const result = await evaluation.run();
console.log(JSON.stringify(result));
// Nothing was measured (data or weights missing): say so in the exit status, not only in the JSON.
if ("skipped" in result) {
  console.error(`eval ${model}: not run: ${String(result.skipped)}`);
  process.exit(2);
}
const { lines, allMet } = barTable(result);
for (const line of lines) console.error(line);
if (!allMet) process.exitCode = 1;
