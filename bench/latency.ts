// One connection's latency, and what it is made of. Model-only, model after idle, predict-only, end to
// end and the bare transport run interleaved in rounds, so that all of them see the same background load
// (this is a shared machine); the server is idle while the model runs alone.

import { performance } from "node:perf_hooks";
import type { BenchmarkRunner } from "../src/models/benchmark.js";
import { Client, runSequential, type SequentialResult } from "./load.js";
import type { Options } from "./options.js";
import type { Plan } from "./plan.js";
import { progressLines } from "../src/cli/progress.js";
import { log } from "./report.js";
import { summarize, type LatencySummary } from "./stats.js";
import { echoRunner } from "./transport.js";

const ROUNDS = 10;

export interface Timed {
  method: string;
  latencies: LatencySummary;
}

export interface LatencyResult {
  model: Timed;
  /** The model-only runs, each after a 1 ms sleep. */
  modelAfterIdle: LatencySummary;
  predict?: Timed;
  e2e: LatencySummary;
  sequential: SequentialResult;
  /** Round trips of the bare transport, less its hold. */
  transportFloor: Timed;
}

export async function measureLatency(plan: Plan, url: string, options: Options): Promise<LatencyResult> {
  const budgetMs = options.phaseBudgetS * 1000;
  log(`loading the model in the bench process`);
  const model = await plan.model();
  const predict = plan.predict === undefined ? undefined : await plan.predict();
  const single = await Client.open(url);
  const deadline = performance.now() + budgetMs;
  const timed = async (runner: BenchmarkRunner, from: number, count: number, into: number[] | null, idleMs = 0) => {
    for (let i = from; i < from + count && performance.now() < deadline; i++) {
      if (idleMs > 0) await new Promise((resolve) => setTimeout(resolve, idleMs));
      const started = performance.now();
      await runner.run(i);
      into?.push(performance.now() - started);
    }
  };
  log(`warm-up, then ${ROUNDS} rounds of model-only / model after idle / predict-only / e2e / bare transport (${options.modelIterations} / ${options.modelIterations} / ${options.modelIterations} / ${options.sequential} / ${options.sequential})`);
  const warmModel: number[] = [];
  await timed(model, 0, 30, warmModel);
  if (predict !== undefined) await timed(predict, 0, 30, null);
  await runSequential(single, plan.frames, Math.min(100, options.sequential), 0, budgetMs);
  const sampleReply = await single.request(plan.frames[0]!.bytes, 30_000);
  const holdMs = summarize(warmModel).p50;
  const transport = await echoRunner(sampleReply.length, holdMs, plan.frames[0]!.bytes);
  await timed(transport, 0, 30, null);

  const modelLatencies: number[] = [];
  const modelAfterIdleLatencies: number[] = [];
  const predictLatencies: number[] = [];
  const transportLatencies: number[] = [];
  const sequential: SequentialResult = { ok: 0, wrong: 0, latencies: [] };
  const perModel = Math.ceil(options.modelIterations / ROUNDS);
  const perSequential = Math.ceil(options.sequential / ROUNDS);
  const tick = progressLines("bench: latency rounds", ROUNDS, (line) => process.stderr.write(`${line}\n`));
  for (let r = 0; r < ROUNDS && performance.now() < deadline; r++) {
    tick(r);
    await timed(model, r * perModel, perModel, modelLatencies);
    // The same runs, each after the thread sleeps 1 ms, as the server's does between one connection's requests.
    await timed(model, r * perModel, perModel, modelAfterIdleLatencies, 1);
    if (predict !== undefined) await timed(predict, r * perModel, perModel, predictLatencies);
    const part = await runSequential(single, plan.frames, perSequential, 0, Math.max(1, deadline - performance.now()), r * perSequential);
    sequential.ok += part.ok;
    sequential.wrong += part.wrong;
    sequential.firstWrong ??= part.firstWrong;
    sequential.latencies.push(...part.latencies);
    await timed(transport, r * perSequential, perSequential, transportLatencies);
  }
  tick(ROUNDS);
  await single.close();
  await model.close?.();
  await predict?.close();
  await transport.close();
  return {
    model: { method: model.method, latencies: summarize(modelLatencies) },
    modelAfterIdle: summarize(modelAfterIdleLatencies),
    ...(predict === undefined ? {} : { predict: { method: predict.method, latencies: summarize(predictLatencies) } }),
    e2e: summarize(sequential.latencies),
    sequential,
    transportFloor: { method: transport.method, latencies: summarize(transportLatencies.map((ms) => ms - holdMs)) },
  };
}
