// The server under test, run as a child of the bench so that its event loop and memory are measured
// on their own, apart from the load generator. Started with `fork()`; settings come as one JSON
// argument; talks to the bench over the IPC channel:
//   child → parent  { type: "ready", port, models } | { type: "failed", message }
//   parent → child  { cmd: "stats", id, loopMonitor?: "start" | "stop", gc?: boolean } → { type: "stats", id, ... }
//                   { cmd: "shutdown" }
// The event loop delay is sampled with perf_hooks.monitorEventLoopDelay at 1 ms resolution, only between
// a "start" and a "stop" (the load phase it reports on), so that its timer does not wake the server during
// the one-connection latency phase. The reported values are the raw timer delays (they include the 1 ms
// sampling interval); the last window's figures stay readable after "stop".

import { monitorEventLoopDelay } from "node:perf_hooks";
import { defaultConfig, type ServerConfig } from "../src/server/config.js";
import type { RunningServer } from "../src/server/server.js";

export interface ChildSettings {
  models: string[];
  workers?: number;
  intraOpThreads?: number;
  batchWindowMs?: number;
  maxBatch?: number;
  maxInFlight?: number;
}

export type ChildRequest = { cmd: "stats"; id: number; loopMonitor?: "start" | "stop"; gc?: boolean } | { cmd: "shutdown" };

export interface ChildStats {
  type: "stats";
  id: number;
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
  /** CPU time of the whole server process (event loop and worker threads), since it started. */
  cpuMs: number;
  eventLoop: { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number; samples: number };
}

export type ChildMessage = { type: "ready"; port: number; models: string[] } | { type: "failed"; message: string } | ChildStats;

const MB = 1024 * 1024;
const send = (message: ChildMessage) => process.send?.(message);

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? "{}") as ChildSettings;
  const config: ServerConfig = defaultConfig();
  config.port = 0;
  config.host = "127.0.0.1";
  config.models = settings.models as ServerConfig["models"];
  if (settings.workers !== undefined) config.workers = settings.workers;
  if (settings.intraOpThreads !== undefined) config.intraOpThreads = settings.intraOpThreads;
  if (settings.batchWindowMs !== undefined) config.batchWindowMs = settings.batchWindowMs;
  if (settings.maxBatch !== undefined) config.maxBatch = settings.maxBatch;
  if (settings.maxInFlight !== undefined) config.limits.maxInFlight = settings.maxInFlight;
  // The bench opens its 100 connections from one address at once.
  config.handshakesPerSecond = 100_000;
  config.maxConnectionsPerClient = 10_000;
  config.maxConnections = 10_000;

  // Imported here so that a model that fails to import is reported over IPC, not as a crash.
  const { startServer } = await import("../src/server/server.js");
  let server: RunningServer;
  try {
    server = await startServer(config, { log: (m) => process.stderr.write(`server: ${m}\n`) });
  } catch (error) {
    send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }

  const eld = monitorEventLoopDelay({ resolution: 1 });
  const gc = (globalThis as { gc?: () => void }).gc;

  process.on("message", (request: ChildRequest) => {
    if (request.cmd === "shutdown") {
      eld.disable();
      void server.shutdown().finally(() => process.exit(0));
      return;
    }
    if (request.cmd === "stats") {
      if (request.gc === true && gc !== undefined) {
        gc();
        gc();
      }
      const memory = process.memoryUsage();
      send({
        type: "stats",
        id: request.id,
        rssMb: memory.rss / MB,
        heapUsedMb: memory.heapUsed / MB,
        externalMb: memory.external / MB,
        cpuMs: (() => {
          const cpu = process.cpuUsage();
          return (cpu.user + cpu.system) / 1000;
        })(),
        eventLoop: {
          p50Ms: eld.percentile(50) / 1e6,
          p99Ms: eld.percentile(99) / 1e6,
          maxMs: eld.max / 1e6,
          meanMs: eld.mean / 1e6,
          samples: eld.count,
        },
      });
      if (request.loopMonitor === "start") {
        eld.reset();
        eld.enable();
      } else if (request.loopMonitor === "stop") eld.disable();
    }
  });
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", port: server.port, models: server.registry.names });
}

main().catch((error: unknown) => {
  send({ type: "failed", message: error instanceof Error ? error.stack ?? error.message : String(error) });
  process.exit(1);
});
