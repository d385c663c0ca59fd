// HTTP + WebSocket server: /v0/stream/models, /healthz, /readyz, /metrics, /info, the playground page; auth and
// admission at the handshake.

import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { FFMPEG_FORMATS, ffmpegInstalled, stopSpareDecoders } from "../media/index.js";
import { ModelRegistry, MODEL_FACTORIES } from "../models/registry.js";
import { MODEL_SPECS, STREAM_PATH, type ModelName } from "../protocol/index.js";
import { packageInfo, PACKAGE_ROOT } from "../runtime/paths.js";
import type { ModelFactory } from "../models/types.js";
import { Admission } from "./admission.js";
import { presentedKey } from "./auth.js";
import { isLoopback, servesPlayground, type ServerConfig } from "./config.js";
import { Connection } from "./connection.js";
import { createLogger, throttledEvent } from "./log.js";
import { InFlightBudget } from "./in-flight-budget.js";
import { httpRoutes } from "./http-routes.js";
import { ServerMetrics } from "./metrics.js";
import { StaticFiles } from "./static-files.js";

/** Where the built web page lives in the package (`GET /` and its assets). */
export const WEB_ROOT = `${PACKAGE_ROOT}dist/web/`;

export interface RunningServer {
  /** The bound port (useful with port 0). */
  port: number;
  url: string;
  registry: ModelRegistry;
  metrics: ServerMetrics;
  http: Server;
  /** Stops accepting, lets in-flight replies finish within the grace period, closes sockets with 1012. */
  shutdown(): Promise<void>;
}

export interface StartOptions {
  /** Model factories to serve; defaults to every model Moodwire ships. */
  factories?: readonly ModelFactory[];
  /** Where log lines go (one JSON object each, no newline); default stderr. Lines below config.logLevel never arrive. */
  log?: (line: string) => void;
  /** Directory of the web page and its assets; defaults to WEB_ROOT. */
  webRoot?: string;
}

function refuse(socket: Duplex, status: number, reason: string, body: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * What GET /info says that does not change while the server runs: the package, the stream path, whether
 * clients must present an API key (so a page can ask for one before its handshake is refused: browsers do
 * not show a refused handshake's status), and each enabled model with the media it reads and its card.
 * Read once (package.json, the cards on disk).
 */
function describeServer(models: readonly ModelName[], apiKeyRequired: boolean): object {
  return {
    ...packageInfo(),
    stream_path: STREAM_PATH,
    api_key_required: apiKeyRequired,
    models: models.map((name) => {
      const card = `models/${name}/MODEL_CARD.md`;
      return { name, accepts: MODEL_SPECS[name].accepts, ...(existsSync(`${PACKAGE_ROOT}${card}`) ? { card } : {}) };
    }),
  };
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const log = createLogger(config.logLevel, options.log ?? ((line: string) => process.stderr.write(`${line}\n`)));
  const admission = new Admission(config);
  if (admission.open && !isLoopback(config.host) && !config.insecure) {
    throw new Error(
      `refusing to listen on ${config.host} without API keys: anyone who can reach it could use it. ` +
        "Set MOODWIRE_API_KEYS or --api-keys-file, listen on 127.0.0.1, or pass --insecure to accept the risk.",
    );
  }
  const factories = options.factories ?? MODEL_FACTORIES;
  if (config.models === undefined) {
    for (const factory of factories) if (!factory.isInstalled()) log.warn("model_off", { model: factory.name, reason: factory.notInstalledReason?.() ?? "its weights are not installed" });
  }
  const registry = new ModelRegistry(factories, config.models ?? ModelRegistry.installed(factories), {
    workers: config.workers,
    intraOpThreads: config.intraOpThreads,
    batchWindowMs: config.batchWindowMs,
    maxBatch: config.maxBatch,
    taskTimeoutMs: config.taskTimeoutMs,
    inlineWhenIdle: !config.isolateModels,
    modelWorkers: config.modelWorkers,
    onRestart: (reason) => log.warn("worker_restarted", { reason }),
  });
  const description = describeServer(registry.names, !admission.open);
  const metrics = new ServerMetrics(packageInfo().version);
  const budget = new InFlightBudget(config.maxPendingBytes);
  const connections = new Map<WebSocket, Connection>();
  let shuttingDown = false;

  // Frames up to twice the limit are read and answered E0208; larger ones close the connection (1009).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * config.limits.maxFrameBytes, perMessageDeflate: false });

  // Without ffmpeg the server still serves: WAV, Opus, images and text decode in-process.
  const withFfmpeg = ffmpegInstalled();
  const http = createServer(
    httpRoutes(
      {
        ready: () => {
          if (shuttingDown) return { ready: false, reason: "shutting down" };
          if (!registry.ready) return { ready: false, reason: "loading models" };
          // Full: a load balancer should send new sessions elsewhere (existing ones keep being served).
          if (connections.size >= config.maxConnections) return { ready: false, reason: `full: ${connections.size} of ${config.maxConnections} connections` };
          return { ready: true, models: registry.names, ...(withFfmpeg ? {} : { note: `no ffmpeg: ${FFMPEG_FORMATS} off` }) };
        },
        metrics: () => {
          metrics.pendingBytes.set(budget.usedBytes);
          const workers = registry.workerStats;
          metrics.workerRestarts.set(workers.restarts);
          metrics.workersRetiring.set(workers.retiring);
          return metrics.render();
        },
        info: () => ({ ...description, ready: registry.ready && !shuttingDown }),
      },
      STREAM_PATH,
      servesPlayground(config) ? new StaticFiles(options.webRoot ?? WEB_ROOT) : undefined,
    ),
  );

  const logRefusal = throttledEvent(log, "handshake_refused");
  http.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const url = new URL(request.url ?? "/", "http://localhost");
    const deny = (status: number, reason: string, body: string) => {
      metrics.handshakesRefused.inc({ status: String(status) });
      // The reason phrase and the address, never the key; at most 20 lines per 10 s (a flood is counted).
      logRefusal({ status, reason, ip: request.socket.remoteAddress ?? "unknown", path: url.pathname });
      refuse(socket, status, reason, body);
    };
    if (url.pathname !== STREAM_PATH) return deny(404, "Not Found", `No WebSocket endpoint at ${url.pathname}; use ${STREAM_PATH}.\n`);
    if (shuttingDown) return deny(503, "Service Unavailable", "The server is shutting down.\n");
    const admitted = admission.admit(request.socket.remoteAddress ?? "unknown", presentedKey(request, url));
    if (!admitted.ok) return deny(admitted.status, admitted.reason, admitted.body);
    // The slot is freed when the socket closes, also when ws refuses the upgrade itself (a bad
    // Sec-WebSocket-Key, `Upgrade: h2c`...), in which case the callback below never runs.
    socket.once("close", () => admission.release(admitted.client));
    wss.handleUpgrade(request, socket, head, (ws) => {
      metrics.connectionsTotal.inc();
      metrics.connectionsOpen.inc();
      const connection = new Connection(ws, socket, { registry, limits: config.limits, metrics, budget, log });
      connections.set(ws, connection);
      ws.on("error", (error) => connection.fail(error));
      ws.on("close", (code) => {
        metrics.connectionsClosed.inc({ code: String(connection.dispose(code)) });
        connections.delete(ws);
        metrics.connectionsOpen.dec();
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(config.port, config.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const address = http.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const hostForUrl = config.host.includes(":") ? `[${config.host}]` : config.host;

  // Models load after the port opens so /healthz answers at once and /readyz reports progress.
  const endpoint = `ws://${hostForUrl}:${port}${STREAM_PATH}`;
  const playground = servesPlayground(config) ? { playground: `http://${hostForUrl}:${port}/` } : {};
  log.info("listening", { url: endpoint, ...playground, models: registry.names, ffmpeg: withFfmpeg, ...(withFfmpeg ? {} : { formats_off: FFMPEG_FORMATS }) });
  const loadStarted = performance.now();
  const loading = registry.load().then(
    () => log.info("models_loaded", { models: registry.names, ms: Math.round(performance.now() - loadStarted) }),
    (error: unknown) => {
      log.error("models_load_failed", { message: error instanceof Error ? error.message : String(error) });
      throw error;
    },
  );

  let stopping: Promise<void> | undefined;
  // The listener stays open while connections drain, so /readyz answers 503 (not a refused connection)
  // and load balancers take the instance out; new WebSocket handshakes get 503 meanwhile.
  const stop = async (): Promise<void> => {
    shuttingDown = true;
    log.info("shutting_down", { connections: connections.size, grace_ms: config.shutdownGraceMs });
    const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
    // Stop reading, then answer everything read: a frame ws still had buffered when reading stopped
    // arrives a tick later, hence the second look.
    for (const connection of connections.values()) connection.stopReading();
    const answered = async (): Promise<void> => {
      for (let look = 0; look < 10; look++) {
        await Promise.all([...connections.values()].map((c) => c.idle()));
        await new Promise((resolve) => setImmediate(resolve));
        if ([...connections.values()].every((c) => c.isIdle)) return;
      }
    };
    await Promise.race([answered(), grace]);
    // 1012 (service restart): clients reconnect, through the load balancer, to another instance.
    for (const connection of connections.values()) connection.close(1012, "server restarting");
    const closed = Promise.all([...connections.keys()].map((ws) => new Promise((resolve) => ws.once("close", resolve))));
    await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 1000).unref())]);
    for (const ws of connections.keys()) ws.terminate();
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
    await loading.catch(() => undefined);
    await registry.close();
    stopSpareDecoders();
    log.info("stopped");
  };
  const shutdown = (): Promise<void> => (stopping ??= stop());

  try {
    await loading;
  } catch (error) {
    http.close();
    throw error;
  }
  return { port, url: endpoint, registry, metrics, http, shutdown };
}
