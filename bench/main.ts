// `npm run bench -- <scenario> [options]`: speed figures for one scenario, as one JSON object on the
// last line of stdout; progress and each bar (met or FAILED) go to stderr, and the exit status says
// whether every bar was met. Scenarios come from the models' benchmarks (their factories'
// benchmark()), plus "mixed"; bench/README.md describes the phases and the fields.

import { performance } from "node:perf_hooks";
import { loadCatalog, modelScenarioNames, scenarioDefaults } from "./catalog.js";
import { measureLatency } from "./latency.js";
import { MIXED, mixedPlan } from "./mixed.js";
import { parseArgs } from "./options.js";
import { modelPlan } from "./plan.js";
import { figureLines, log, machine, printLine, report } from "./report.js";
import { ServerChild } from "./server.js";
import { round } from "./stats.js";
import { measureLoad } from "./throughput.js";

/** 0: measured, every bar met (or none declared); 1: a bar failed; 2: not run (model or data missing). */
async function main(): Promise<number> {
  const catalog = await loadCatalog();
  const options = parseArgs(process.argv.slice(2), [...modelScenarioNames(catalog), MIXED], (scenario) => scenarioDefaults(scenario, catalog));
  const host = machine();
  const plan = options.scenario === MIXED ? mixedPlan(catalog) : modelPlan(options.scenario, catalog);
  if ("skipped" in plan) {
    printLine({ scenario: options.scenario, skipped: plan.skipped, ...host });
    log(`not run: ${plan.skipped}`);
    return 2;
  }
  const startedAt = performance.now();
  log(`starting the server (models: ${plan.models.join(", ")})`);
  const server = await ServerChild.start({ models: plan.models, ...options.server });
  try {
    const latency = await measureLatency(plan, server.url, options);
    const load = await measureLoad(plan, server, options);
    const result = report(options, host, plan, latency, load, round((performance.now() - startedAt) / 1000, 1));
    printLine(result);
    const bars = (result.bars ?? {}) as Record<string, boolean>;
    for (const line of figureLines(result)) log(line);
    for (const [bar, met] of Object.entries(bars)) log(`${met ? "met   " : "FAILED"}  ${bar}`);
    return Object.values(bars).every(Boolean) ? 0 : 1;
  } finally {
    await server.stop();
  }
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
