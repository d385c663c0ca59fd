// `npm run test:fuzz`: node dist/src/fuzz/main.js --frames 10000 [--seed N] [--connections N]
// [--in-flight N] [--start N] [--max-rss-mb N] [--no-stubs]. Prints counts, then one JSON summary as the last stdout
// line; exits 1 on any violation.

import { runFuzz, type FuzzResult } from "./run.js";

interface Args {
  frames: number;
  seed: number;
  connections: number;
  inFlight: number;
  start: number;
  stubs: boolean;
  maxRssMb: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { frames: 10_000, seed: 1, connections: 4, inFlight: 8, start: 0, stubs: true, maxRssMb: 1536 };
  const int = (flag: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer ≥ ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    switch (flag) {
      case "--frames":
        args.frames = int(flag, argv[++i], 1);
        break;
      case "--seed":
        args.seed = int(flag, argv[++i], 0);
        break;
      case "--connections":
        args.connections = int(flag, argv[++i], 1);
        break;
      case "--in-flight":
        args.inFlight = int(flag, argv[++i], 1);
        break;
      case "--start":
        args.start = int(flag, argv[++i], 0);
        break;
      case "--max-rss-mb":
        args.maxRssMb = int(flag, argv[++i], 1);
        break;
      case "--no-stubs":
        args.stubs = false;
        break;
      case "--help":
        console.log("usage: node dist/src/fuzz/main.js [--frames N] [--seed N] [--connections N] [--in-flight N] [--start N] [--max-rss-mb N] [--no-stubs]");
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option '${flag}'`);
    }
  }
  return args;
}

function table(title: string, counts: Record<string, number>): string {
  const rows = Object.entries(counts).map(([k, v]) => `  ${k.padEnd(10)} ${String(v).padStart(7)}`);
  return [title, ...rows].join("\n");
}

function summary(result: FuzzResult): Record<string, unknown> {
  return {
    ok: result.ok,
    seed: result.seed,
    frames: result.frames,
    replies: result.replies,
    duration_s: result.duration_s,
    codes: result.codes,
    warnings: result.warnings,
    internal_errors: result.internal_errors.length,
    violations: result.violations.length,
    rss_mb: result.rss_mb,
    event_loop_delay_ms: result.event_loop_delay_ms,
    slowest: result.slowest.slice(0, 5),
    server_up: result.server_up,
    models: result.models,
    seeds_skipped: result.seeds_skipped,
  };
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`fuzz: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  const started = Date.now();
  const result = await runFuzz({
    frames: args.frames,
    seed: args.seed,
    startIndex: args.start,
    connections: args.connections,
    inFlight: args.inFlight,
    stubModels: args.stubs,
    maxPeakRssMb: args.maxRssMb,
    progressEvery: 1000,
    onProgress: (done, total) => console.error(`fuzz: ${done}/${total} replies after ${((Date.now() - started) / 1000).toFixed(0)} s`),
  });
  console.log(table("replies by code:", result.codes));
  console.log(table("nested warnings:", result.warnings));
  console.log("by frame family:");
  for (const [family, counts] of Object.entries(result.by_family)) {
    console.log(`  ${family.padEnd(10)} ${Object.entries(counts).map(([c, n]) => `${c}=${n}`).join(" ")}`);
  }
  if (result.models.stubbed.length > 0) console.log(`stub models (weights not installed): ${result.models.stubbed.join(", ")}`);
  if (result.internal_errors.length > 0) {
    console.log("internal errors (server bugs):");
    for (const e of result.internal_errors.slice(0, 50)) console.log(`  frame ${e.index} ${e.kind}: ${e.code} ${e.message}`);
  }
  if (result.violations.length > 0) {
    console.log(`violations (${result.violations.length}, first 50):`);
    for (const v of result.violations.slice(0, 50)) console.log(`  frame ${v.index} ${v.kind}: ${v.problem}${v.reply === undefined ? "" : ` — ${v.reply}`}`);
  }
  for (const line of result.server_log.slice(0, 10)) console.log(`server log: ${line}`);
  console.log(JSON.stringify(summary(result)));
  process.exitCode = result.ok ? 0 : 1;
}

await main();
