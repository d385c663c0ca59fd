// Evaluation entry point: `node dist/eval/main.js <model> [--shared DIR]`.
// Runs eval/<model>.ts and prints its results as a JSON object on the last line of stdout.

import { existsSync } from "node:fs";

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
    process.env.MOODWIRE_SHARED = dir.endsWith("/") ? dir : `${dir}/`;
  } else if (arg.startsWith("--shared=")) {
    const dir = arg.slice("--shared=".length);
    process.env.MOODWIRE_SHARED = dir.endsWith("/") ? dir : `${dir}/`;
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
