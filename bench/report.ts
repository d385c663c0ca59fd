// What the bench prints: progress on stderr, and one JSON object as the last line of stdout (fields
// documented in bench/README.md).

import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import type { LatencyResult } from "./latency.js";
import type { Options } from "./options.js";
import type { Plan } from "./plan.js";
import { round, slope, summarize } from "./stats.js";
import type { LoadResult } from "./throughput.js";

export function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

export function printLine(result: Record<string, unknown>): void {
  console.log(JSON.stringify(result));
}

/** The headline figures of a result, one per line, for people reading stderr beside the bars. */
export function figureLines(result: Record<string, unknown>): string[] {
  const rows: [string, string][] = [
    ["model alone, p50", "model_p50_ms"], ["end to end, p50", "e2e_p50_ms"], ["end to end, p95", "e2e_p95_ms"],
    ["throughput, payloads/s", "throughput_per_s"], ["event loop p99", "event_loop_p99_ms"], ["RSS growth, MB", "rss_growth_mb"],
  ];
  return rows.filter(([, key]) => typeof result[key] === "number").map(([label, key]) => `${label.padEnd(24)} ${String(result[key])}${key.endsWith("_ms") ? " ms" : ""}`);
}

export type Machine = ReturnType<typeof machine>;

/** The machine, and how busy it was when the run started. */
export function machine() {
  const cpu = cpus();
  return {
    cpu_model: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    available_parallelism: availableParallelism(),
    memory_gb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    load_avg_1m_at_start: round(loadavg()[0] ?? Number.NaN, 2),
  };
}

export function report(options: Options, host: Machine, plan: Plan, latency: LatencyResult, load: LoadResult, wallS: number | null): Record<string, unknown> {
  const { model, modelAfterIdle, predict, e2e, sequential, transportFloor } = latency;
  const { loop, before, during, after } = load;
  const underLoad = summarize(loop.latencies);
  const figures = {
    modelP50Ms: model.latencies.p50,
    e2eP50Ms: e2e.p50,
    overheadRatio: e2e.p50 / model.latencies.p50,
    throughputPerS: loop.answered / (loop.elapsedMs / 1000),
    eventLoopP99Ms: during.eventLoop.p99Ms,
    rssGrowthMb: after.rssMb - before.rssMb,
    ...("paceMs" in loop ? { lateSends: loop.lateSends } : {}),
  };
  return {
    scenario: options.scenario,
    model_p50_ms: round(figures.modelP50Ms),
    e2e_p50_ms: round(e2e.p50),
    e2e_p95_ms: round(e2e.p95),
    e2e_p99_ms: round(e2e.p99),
    overhead_ratio: round(figures.overheadRatio),
    throughput_per_s: round(figures.throughputPerS, 1),
    event_loop_p99_ms: round(figures.eventLoopP99Ms),
    rss_mb_before: round(before.rssMb, 1),
    rss_mb_after: round(after.rssMb, 1),
    rss_growth_mb: round(figures.rssGrowthMb, 1),
    ...host,
    detail: {
      models: plan.models,
      inputs: plan.inputs,
      model_only: { method: model.method, runs: model.latencies.count, p50_ms: round(model.latencies.p50), p95_ms: round(model.latencies.p95), p99_ms: round(model.latencies.p99), mean_ms: round(model.latencies.mean) },
      ...(predict === undefined ? {} : { predict_only: { method: predict.method, runs: predict.latencies.count, p50_ms: round(predict.latencies.p50), p95_ms: round(predict.latencies.p95) } }),
      e2e: { requests: e2e.count, ok: sequential.ok, wrong: sequential.wrong, ...(sequential.firstWrong === undefined ? {} : { first_wrong: sequential.firstWrong }), mean_ms: round(e2e.mean), max_ms: round(e2e.max) },
      transport_floor: { method: transportFloor.method, runs: transportFloor.latencies.count, p50_ms: round(transportFloor.latencies.p50), p95_ms: round(transportFloor.latencies.p95) },
      model_after_idle: { method: "the model-only runs, each after a 1 ms sleep (caches and core cool down as between requests)", runs: modelAfterIdle.count, p50_ms: round(modelAfterIdle.p50) },
      // What the end-to-end p50 adds to the model's: the bare transport above, the model's own slowdown
      // after an idle gap, and the rest (the server's work: parsing, dispatch, reply writing).
      overhead_split: {
        overhead_p50_ms: round(e2e.p50 - model.latencies.p50),
        transport_floor_p50_ms: round(transportFloor.latencies.p50),
        model_after_idle_p50_ms: round(modelAfterIdle.p50 - model.latencies.p50),
        rest_p50_ms: round(e2e.p50 - modelAfterIdle.p50 - transportFloor.latencies.p50),
      },
      load: {
        connections: options.connections,
        payloads_sent: options.payloads,
        answered: loop.answered,
        ok: loop.ok,
        wrong: loop.wrong,
        ...(loop.firstWrong === undefined ? {} : { first_wrong: loop.firstWrong }),
        timed_out: loop.timedOut,
        elapsed_s: round(loop.elapsedMs / 1000, 2),
        latency_p50_ms: round(underLoad.p50),
        latency_p99_ms: round(underLoad.p99),
        // Streaming in real time: the real-time factor is a payload's reply time over the time it
        // covers (under 1 keeps up); late sends are chunks that could not go out on schedule.
        ...("paceMs" in loop ? { real_time: { pace_ms: loop.paceMs, late_sends: loop.lateSends, max_lag_ms: round(loop.maxLagMs), real_time_factor_p50: round(underLoad.p50 / loop.paceMs, 3), real_time_factor_p99: round(underLoad.p99 / loop.paceMs, 3) } } : {}),
        event_loop: { resolution_ms: 1, p50_ms: round(during.eventLoop.p50Ms), p99_ms: round(during.eventLoop.p99Ms), max_ms: round(during.eventLoop.maxMs), note: "server process, perf_hooks.monitorEventLoopDelay, raw timer delay incl. the 1 ms interval" },
        warmup_payloads: load.warmup,
        // Cores' worth of CPU used during the run: the server (event loop + workers) and this load generator.
        server_cpu_cores: round((during.cpuMs - before.cpuMs) / loop.elapsedMs, 2),
        loadgen_cpu_cores: round(load.loadgenCpuUs / 1000 / loop.elapsedMs, 2),
        rss_trace_mb: load.rssTrace.map((v) => round(v, 1)),
        // Least-squares slope of RSS over payloads answered, past the first quarter of the run: a
        // plateau gives ~0, a leak a steady positive slope.
        rss_slope_mb_per_1k_payloads: round(1000 * slope(load.rssAt.slice(load.rssAt.length >> 2), load.rssTrace.slice(load.rssTrace.length >> 2)), 2),
        heap_used_mb_before: round(before.heapUsedMb, 1),
        heap_used_mb_after: round(after.heapUsedMb, 1),
      },
      server_settings: { defaults: "src/server/config.ts defaultConfig()", ...options.server },
      wall_s: wallS,
    },
    ...(plan.bars === undefined ? {} : { bars: { ...plan.bars(figures), all_replies_ok: sequential.wrong === 0 && loop.wrong === 0 && !loop.timedOut } }),
  };
}
