// The bench's command line: `npm run bench -- <scenario> [options]`.

import type { BenchmarkLoad } from "../src/models/benchmark.js";
import type { ChildSettings } from "./server-child.js";

export interface Options {
  scenario: string;
  payloads: number;
  connections: number;
  sequential: number;
  modelIterations: number;
  /** Real-time pacing of the load phase (see BenchmarkLoad.paceMs); 0 or unset = closed loop. */
  paceMs?: number;
  phaseBudgetS: number;
  server: Omit<ChildSettings, "models">;
}

function usage(scenarios: readonly string[]): string {
  return `Usage: npm run bench -- <${scenarios.join("|")}> [options]

A scenario whose models are not installed is reported skipped. A model's benchmark may set other
defaults for --payloads, --connections, --sequential and --model-iterations (heavy inputs need fewer).

Options (defaults in brackets):
  --payloads N           payloads sent over the concurrent connections, RSS measured around them [10000]
  --connections N        concurrent connections for the throughput phase [100]
  --sequential N         sequential requests on one connection for e2e latency [1000]
  --model-iterations N   model-only runs [500]
  --pace-ms N            load phase streams in real time: each connection sends every N ms [closed loop]
  --phase-budget-s N     longest time for any one phase, seconds [150]
  --workers N            server: worker threads, as its --workers [server default]
  --intra-op-threads N   server: ONNX intra-op threads per worker [server default]
  --batch-window-ms N    server: micro-batch window [server default]
  --max-batch N          server: largest micro-batch [server default]
  --max-in-flight N      server: requests in flight per connection [server default]

Prints one JSON object as the last line of stdout.`;
}

/** Parses argv (after the script); prints the usage and exits on --help or a bad argument. */
export function parseArgs(argv: readonly string[], scenarios: readonly string[], defaults: (scenario: string) => Partial<BenchmarkLoad> = () => ({})): Options {
  const [scenario, ...rest] = argv;
  if (scenario === undefined || scenario === "--help" || scenario === "-h" || !scenarios.includes(scenario)) {
    console.error(usage(scenarios));
    process.exit(scenario === "--help" || scenario === "-h" ? 0 : 2);
  }
  const options: Options = {
    scenario,
    payloads: 10_000,
    connections: 100,
    sequential: 1000,
    modelIterations: 500,
    phaseBudgetS: 150,
    server: {},
    ...defaults(scenario),
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const raw = inline ?? rest[++i];
    const value = Number(raw);
    if (raw === undefined || !Number.isInteger(value) || value < 0) {
      console.error(`bench: ${flag} needs a non-negative integer, got '${raw}'\n\n${usage(scenarios)}`);
      process.exit(2);
    }
    switch (flag) {
      case "--payloads": options.payloads = value; break;
      case "--connections": options.connections = Math.max(1, value); break;
      case "--sequential": options.sequential = Math.max(1, value); break;
      case "--model-iterations": options.modelIterations = Math.max(1, value); break;
      case "--pace-ms": options.paceMs = value; break;
      case "--phase-budget-s": options.phaseBudgetS = Math.max(1, value); break;
      case "--workers": options.server.workers = Math.max(1, value); break;
      case "--intra-op-threads": options.server.intraOpThreads = Math.max(1, value); break;
      case "--batch-window-ms": options.server.batchWindowMs = value; break;
      case "--max-batch": options.server.maxBatch = Math.max(1, value); break;
      case "--max-in-flight": options.server.maxInFlight = Math.max(1, value); break;
      default:
        console.error(`bench: unknown option '${arg}'\n\n${usage(scenarios)}`);
        process.exit(2);
    }
  }
  return options;
}
