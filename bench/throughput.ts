// The load phase: many connections, closed loop, with the server's RSS, CPU and event-loop delay
// around the measured window.

import { runClosedLoop, runPaced, openClients, type ClosedLoopResult, type PacedResult } from "./load.js";
import type { Options } from "./options.js";
import type { Plan } from "./plan.js";
import { progressLines } from "../src/cli/progress.js";
import { log } from "./report.js";
import type { ServerChild } from "./server.js";
import type { ChildStats } from "./server-child.js";

export interface LoadResult {
  loop: ClosedLoopResult | PacedResult;
  warmup: number;
  /** Server stats after the warm-up and a forced GC, when the measured window starts. */
  before: ChildStats;
  /** At the end of the window (event loop over exactly the window). */
  during: ChildStats;
  /** After the connections closed and a forced GC. */
  after: ChildStats;
  /** Server RSS every second during the window, and the payloads answered at each sample. */
  rssTrace: number[];
  rssAt: number[];
  /** CPU time of this process (the load generator) during the window, microseconds. */
  loadgenCpuUs: number;
}

export async function measureLoad(plan: Plan, server: ServerChild, options: Options): Promise<LoadResult> {
  const budgetMs = options.phaseBudgetS * 1000;
  const paced = options.paceMs !== undefined && options.paceMs > 0 ? options.paceMs : undefined;
  log(`${paced === undefined ? "throughput" : `streaming, one payload every ${paced} ms per connection`}: ${options.payloads} payloads over ${options.connections} connections`);
  const clients = await openClients(server.url, options.connections);
  // Warm every connection, and let the model's workers meet full-size batches (ONNX Runtime's arena
  // and the worker heaps grow to their working size), before RSS is taken.
  const warmup = Math.min(options.payloads, Math.max(2 * options.connections, 1000));
  await runClosedLoop(clients, plan.frames, warmup, budgetMs);
  const before = await server.stats({ gc: true, loopMonitor: "start" });
  // RSS every second during the run (no forced GC), to tell a plateau from a leak.
  const rssTrace: number[] = [];
  const rssAt: number[] = [];
  let answeredSoFar = () => 0;
  const tick = progressLines("bench: load", options.payloads, (line) => process.stderr.write(`${line}\n`));
  const sampler = setInterval(() => {
    const at = answeredSoFar();
    tick(at);
    void server.stats().then((s) => {
      rssTrace.push(s.rssMb);
      rssAt.push(at);
    });
  }, 1000);
  const cpuBefore = process.cpuUsage();
  const running = paced === undefined
    ? runClosedLoop(clients, plan.frames, options.payloads, budgetMs)
    : runPaced(clients, plan.frames, options.payloads, paced, budgetMs);
  answeredSoFar = () => running.progress.answered;
  const loop = await running;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  const during = await server.stats({ loopMonitor: "stop" });
  await Promise.all(clients.map((c) => c.close()));
  const after = await server.stats({ gc: true });
  return { loop, warmup, before, during, after, rssTrace, rssAt, loadgenCpuUs: cpu.user + cpu.system };
}
