// Runs generated hostile frames against an in-process server over real WebSocket connections and checks
// the invariants of issue 5: exactly one JSON text reply per frame, in order, with a well-formed code;
// no internal errors (I0xxx); the server stays up; RSS stays bounded.

import { get } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { WebSocket, type RawData } from "ws";
import type { Limits } from "../../src/protocol/limits.js";
import { DEFAULT_LIMITS, MODEL_NAMES, type ModelName } from "../../src/protocol/index.js";
import { messageText } from "../../src/protocol/node/index.js";
import { MODEL_FACTORIES } from "../../src/models/registry.js";
import type { ModelFactory } from "../../src/models/types.js";
import { defaultConfig, type ServerConfig } from "../../src/server/config.js";
import { startServer, type RunningServer } from "../../src/server/server.js";
import { frameGenerator, kindFamily, type FuzzFrame } from "./frames.js";
import { mediaSeeds } from "./seeds.js";
import { withStubs } from "../support/fake-models.js";

export const CODE_PATTERN = /^[EWI]\d{4}$/;

export interface FuzzOptions {
  /** How many frames to send. */
  frames: number;
  /** PRNG seed; frame i depends only on (seed, i). Default 1. */
  seed?: number;
  /** First frame index (to replay a window of a run). Default 0. */
  startIndex?: number;
  /** WebSocket connections; frame i goes to connection i mod connections. Default 4. */
  connections?: number;
  /** Frames in flight (sent, not yet answered) per connection. Default 8. */
  inFlight?: number;
  /** Server settings on top of the fuzz defaults (port 0, 1 worker, the default limits). */
  server?: Partial<ServerConfig>;
  /** Per-payload limits on top of the defaults (the server's own, so frames reach the default 32 MiB). */
  limits?: Partial<Limits>;
  /** Stand in fuzz-only stubs for models whose weights are not installed (default true). */
  stubModels?: boolean;
  /** Explicit factories (overrides the installed models and stubs). */
  factories?: readonly ModelFactory[];
  /** A frame without a reply for this long is a violation and its connection is dropped. Default 120 s. */
  replyTimeoutMs?: number;
  /** Peak RSS of the whole process (server and clients) above this is a violation. Default 1536 MB. */
  maxPeakRssMb?: number;
  /** Called every `progressEvery` replies. */
  onProgress?: (replies: number, frames: number) => void;
  progressEvery?: number;
}

export interface Violation {
  index: number;
  kind: string;
  problem: string;
  /** The reply (shortened), when there was one. */
  reply?: string;
}

export interface InternalErrorReport {
  index: number;
  kind: string;
  code: string;
  message: string;
}

export interface FuzzResult {
  seed: number;
  frames: number;
  replies: number;
  duration_s: number;
  /** Replies by code: an error code, or "ok" for a reply without `error`. */
  codes: Record<string, number>;
  /** Nested model warnings by code. */
  warnings: Record<string, number>;
  /** Frame family (first part of the kind) → code → count. */
  by_family: Record<string, Record<string, number>>;
  /** Replies with an I0xxx code: server bugs, listed with the frame that caused them. */
  internal_errors: InternalErrorReport[];
  violations: Violation[];
  rss_mb: { start: number; peak: number; end: number };
  /** Event-loop delay of the process during the run (the server decodes on the main thread). Reported, not asserted. */
  event_loop_delay_ms: { p99: number; max: number };
  /** The slowest replies (time from send to reply, including queueing behind earlier frames). */
  slowest: { index: number; kind: string; ms: number }[];
  server_up: { healthz: boolean; final_reply: boolean };
  models: { real: ModelName[]; stubbed: ModelName[] };
  seeds_skipped: string[];
  /** Messages the server logged (never payload data). */
  server_log: string[];
  ok: boolean;
}

interface Pending {
  index: number;
  kind: string;
  expectedId: string | undefined;
  sentAt: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function shorten(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** The payload_id the server can read from this frame (what it must echo), mirroring its own parsing. */
export function expectedPayloadId(data: string | Buffer, maxFrameBytes: number): string | undefined {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  if (bytes.length > maxFrameBytes) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString("utf8"));
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    const id = (value as Record<string, unknown>).payload_id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

export interface CheckedReply {
  /** Error code, or "ok". */
  code: string;
  warnings: string[];
  problems: string[];
  payloadId: string | undefined;
  message: string;
}

const SUCCESS_KEYS = new Set<string>(["payload_id", "job_details", ...MODEL_NAMES]);

/** Checks one reply's shape: a JSON object; an error with a string message and a well-formed code, or predictions. */
export function checkReply(data: RawData, isBinary: boolean): CheckedReply {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (isBinary) problems.push("the reply is a binary frame");
  const text = messageText(data);
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    return { code: "unparsable", warnings, problems: [...problems, "the reply is not JSON"], payloadId: undefined, message: shorten(text) };
  }
  if (typeof reply !== "object" || reply === null || Array.isArray(reply)) {
    return { code: "not-object", warnings, problems: [...problems, "the reply is not a JSON object"], payloadId: undefined, message: shorten(text) };
  }
  const r = reply as Record<string, unknown>;
  const payloadId = typeof r.payload_id === "string" ? r.payload_id : undefined;
  if (r.payload_id !== undefined && payloadId === undefined) problems.push("payload_id is not a string");
  if (r.job_details !== undefined) {
    const jd = r.job_details as { job_id?: unknown } | null;
    if (typeof jd !== "object" || jd === null || typeof jd.job_id !== "string" || !/^[0-9a-f]{32}$/.test(jd.job_id)) problems.push("job_details without a 32-hex job_id");
  }
  if ("error" in r) {
    const code = typeof r.code === "string" ? r.code : "missing";
    if (typeof r.error !== "string" || r.error.length === 0) problems.push("error reply without a message string");
    if (!CODE_PATTERN.test(code)) problems.push(`error reply with code ${JSON.stringify(r.code)}`);
    return { code, warnings, problems, payloadId, message: shorten(String(r.error)) };
  }
  for (const [key, value] of Object.entries(r)) {
    if (!SUCCESS_KEYS.has(key)) {
      problems.push(`unexpected key '${key}' in a success reply`);
      continue;
    }
    if (!(MODEL_NAMES as readonly string[]).includes(key)) continue;
    const v = value as Record<string, unknown> | null;
    if (typeof v !== "object" || v === null) problems.push(`model '${key}' output is not an object`);
    else if ("warning" in v) {
      if (typeof v.code !== "string" || !CODE_PATTERN.test(v.code)) problems.push(`model '${key}' warning with code ${JSON.stringify(v.code)}`);
      else warnings.push(v.code);
    } else if (!Array.isArray(v.predictions)) problems.push(`model '${key}' output has neither predictions nor a warning`);
  }
  return { code: "ok", warnings, problems, payloadId, message: "" };
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.setTimeout(10_000, () => req.destroy());
  });
}

/** Sends one frame on a fresh connection and returns the parsed reply (or undefined). */
export function oneShot(url: string, frame: string, timeoutMs = 30_000): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      resolve(undefined);
    }, timeoutMs);
    ws.on("open", () => ws.send(frame));
    ws.on("message", (data) => {
      clearTimeout(timer);
      let value: Record<string, unknown> | undefined;
      try {
        value = JSON.parse(data.toString()) as Record<string, unknown>;
      } catch {
        value = undefined;
      }
      ws.close(1000);
      resolve(value);
    });
    ws.on("error", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

export class RssSampler {
  start = process.memoryUsage.rss();
  peak = this.start;
  private readonly timer: NodeJS.Timeout;
  constructor(intervalMs = 100) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }
  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    return rss;
  }
  stop(): { start: number; peak: number; end: number } {
    clearInterval(this.timer);
    const end = this.sample();
    return { start: mb(this.start), peak: mb(this.peak), end: mb(end) };
  }
}

interface DriverContext {
  url: string;
  generate: (index: number) => FuzzFrame;
  maxFrameBytes: number;
  inFlight: number;
  replyTimeoutMs: number;
  onReply: (pending: Pending, checked: CheckedReply) => void;
  onViolation: (violation: Violation) => void;
}

/** One connection's share of the frames: pipelined, bounded in flight, reconnecting if the server drops it. */
function drive(indices: readonly number[], ctx: DriverContext): Promise<void> {
  return new Promise((resolve) => {
    let next = 0;
    let reconnects = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      resolve();
    };
    const open = () => {
      const pending: Pending[] = [];
      let lastActivity = Date.now();
      const ws = new WebSocket(ctx.url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
      const watchdog = setInterval(() => {
        if (pending.length > 0 && Date.now() - lastActivity > ctx.replyTimeoutMs) {
          ctx.onViolation({ index: pending[0]!.index, kind: pending[0]!.kind, problem: `no reply within ${ctx.replyTimeoutMs} ms` });
          ws.terminate();
        }
      }, 1000);
      watchdog.unref();
      const pump = () => {
        while (pending.length < ctx.inFlight && next < indices.length && ws.readyState === ws.OPEN) {
          const frame = ctx.generate(indices[next++]!);
          pending.push({ index: frame.index, kind: frame.kind, expectedId: expectedPayloadId(frame.data, ctx.maxFrameBytes), sentAt: Date.now() });
          ws.send(frame.data, { binary: Buffer.isBuffer(frame.data) });
        }
        if (pending.length === 0 && next >= indices.length && ws.readyState === ws.OPEN) ws.close(1000);
      };
      ws.on("open", () => {
        lastActivity = Date.now();
        pump();
      });
      ws.on("message", (data, isBinary) => {
        lastActivity = Date.now();
        const p = pending.shift();
        const checked = checkReply(data, isBinary);
        if (p === undefined) {
          ctx.onViolation({ index: -1, kind: "none", problem: "a reply arrived with no frame outstanding", reply: checked.message });
          return;
        }
        if (checked.payloadId !== p.expectedId) {
          checked.problems.push(`payload_id ${JSON.stringify(checked.payloadId && shorten(checked.payloadId, 40))} where ${JSON.stringify(p.expectedId && shorten(p.expectedId, 40))} was expected (missing or out-of-order reply)`);
        }
        ctx.onReply(p, checked);
        pump();
      });
      ws.on("error", () => {});
      ws.on("close", (code) => {
        clearInterval(watchdog);
        for (const p of pending.splice(0)) ctx.onViolation({ index: p.index, kind: p.kind, problem: `the connection closed (code ${code}) before the reply` });
        if (next < indices.length && reconnects < 20) {
          reconnects++;
          setTimeout(open, 100);
        } else {
          for (; next < indices.length; next++) ctx.onViolation({ index: indices[next]!, kind: "unsent", problem: "never sent: the connection kept closing" });
          finish();
        }
      });
    };
    if (indices.length === 0) finish();
    else open();
  });
}

/** The fuzz-run server configuration: port 0, one worker per model, the default limits, short grace. */
export function fuzzServerConfig(options: Pick<FuzzOptions, "server" | "limits"> = {}): ServerConfig {
  const base = defaultConfig();
  return {
    ...base,
    port: 0,
    workers: 1,
    shutdownGraceMs: 2000,
    ...options.server,
    limits: { ...DEFAULT_LIMITS, ...options.server?.limits, ...options.limits },
  };
}

/** The factories a fuzz server runs: explicit ones, or installed models plus stubs for the rest. */
export function fuzzFactories(options: Pick<FuzzOptions, "factories" | "stubModels">): { factories: readonly ModelFactory[]; real: ModelName[]; stubbed: ModelName[] } {
  if (options.factories !== undefined) return { factories: options.factories, real: options.factories.map((f) => f.name), stubbed: [] };
  if (options.stubModels === false) {
    const installed = MODEL_FACTORIES.filter((f) => f.isInstalled());
    return { factories: MODEL_FACTORIES, real: installed.map((f) => f.name), stubbed: [] };
  }
  const { factories, stubbed } = withStubs(MODEL_FACTORIES, MODEL_NAMES);
  return { factories, real: MODEL_NAMES.filter((n) => !stubbed.includes(n)), stubbed };
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const seed = options.seed ?? 1;
  const startIndex = options.startIndex ?? 0;
  const connections = Math.max(1, options.connections ?? 4);
  const inFlight = Math.max(1, options.inFlight ?? 8);
  const config = fuzzServerConfig(options);
  const { factories, real, stubbed } = fuzzFactories(options);
  const seeds = await mediaSeeds();
  const generate = frameGenerator({
    seed,
    seeds,
    maxFrameBytes: config.limits.maxFrameBytes,
    maxTextChars: config.limits.maxTextChars,
    maxFacemeshFaces: config.limits.maxFacemeshFaces,
  });

  const violations: Violation[] = [];
  const internal: InternalErrorReport[] = [];
  const codes: Record<string, number> = {};
  const warnings: Record<string, number> = {};
  const byFamily: Record<string, Record<string, number>> = {};
  const serverLog: string[] = [];
  let replies = 0;

  const onUncaught = (error: unknown) => violations.push({ index: -1, kind: "process", problem: `uncaught exception in the server process: ${error instanceof Error ? error.stack ?? error.message : String(error)}` });
  const onRejection = (error: unknown) => violations.push({ index: -1, kind: "process", problem: `unhandled rejection in the server process: ${error instanceof Error ? error.stack ?? error.message : String(error)}` });
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onRejection);

  const rss = new RssSampler();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const slowest: { index: number; kind: string; ms: number }[] = [];
  const started = Date.now();
  let server: RunningServer | undefined;
  const serverUp = { healthz: false, final_reply: false };
  try {
    server = await startServer(config, { factories, log: (message) => serverLog.length < 50 && serverLog.push(shorten(message, 500)) });
    const url = server.url;
    const shares: number[][] = Array.from({ length: connections }, () => []);
    for (let i = 0; i < options.frames; i++) shares[i % connections]!.push(startIndex + i);
    const every = options.progressEvery ?? 1000;
    await Promise.all(
      shares.map((indices) =>
        drive(indices, {
          url,
          generate,
          maxFrameBytes: config.limits.maxFrameBytes,
          inFlight,
          replyTimeoutMs: options.replyTimeoutMs ?? 120_000,
          onViolation: (v) => violations.push(v),
          onReply: (p, checked) => {
            replies++;
            const ms = Date.now() - p.sentAt;
            if (slowest.length < 10 || ms > slowest.at(-1)!.ms) {
              slowest.push({ index: p.index, kind: p.kind, ms });
              slowest.sort((a, b) => b.ms - a.ms);
              slowest.length = Math.min(slowest.length, 10);
            }
            codes[checked.code] = (codes[checked.code] ?? 0) + 1;
            for (const w of checked.warnings) warnings[w] = (warnings[w] ?? 0) + 1;
            const family = (byFamily[kindFamily(p.kind)] ??= {});
            family[checked.code] = (family[checked.code] ?? 0) + 1;
            if (checked.code.startsWith("I")) internal.push({ index: p.index, kind: p.kind, code: checked.code, message: checked.message });
            if (checked.code === "E0300") checked.problems.push("E0300 although the client kept fewer frames in flight than the limit");
            for (const problem of checked.problems) violations.push({ index: p.index, kind: p.kind, problem, reply: checked.message });
            if (options.onProgress !== undefined && replies % every === 0) options.onProgress(replies, options.frames);
          },
        }),
      ),
    );

    // The server must still be up and serving.
    const base = `http://127.0.0.1:${server.port}`;
    serverUp.healthz = (await httpStatus(`${base}/healthz`)) === 200;
    const job = await oneShot(url, JSON.stringify({ payload_id: "final", job_details: true }));
    let finalOk = job !== undefined && !("error" in job) && job.payload_id === "final";
    if (server.registry.names.includes("language")) {
      const text = await oneShot(url, JSON.stringify({ payload_id: "final-text", data: "What a lovely day, I am so happy.", raw_text: true, models: { language: {} } }));
      finalOk &&= text !== undefined && !("error" in text) && typeof text.language === "object";
    }
    serverUp.final_reply = finalOk;
    if (!serverUp.healthz) violations.push({ index: -1, kind: "final", problem: "/healthz did not answer 200 after the run" });
    if (!finalOk) violations.push({ index: -1, kind: "final", problem: "a good frame after the run did not get a good reply" });
  } finally {
    await server?.shutdown();
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onRejection);
  }
  const rssMb = rss.stop();
  loopDelay.disable();
  const maxPeak = options.maxPeakRssMb ?? 1536;
  if (rssMb.peak > maxPeak) violations.push({ index: -1, kind: "rss", problem: `peak RSS ${rssMb.peak} MB is above the ${maxPeak} MB bound` });
  for (const v of internal) violations.push({ index: v.index, kind: v.kind, problem: `internal error ${v.code}`, reply: v.message });
  return {
    seed,
    frames: options.frames,
    replies,
    duration_s: Math.round((Date.now() - started) / 100) / 10,
    codes: sortKeys(codes),
    warnings: sortKeys(warnings),
    by_family: Object.fromEntries(Object.entries(byFamily).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)])),
    internal_errors: internal,
    violations,
    rss_mb: rssMb,
    event_loop_delay_ms: { p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) },
    slowest,
    server_up: serverUp,
    models: { real, stubbed },
    seeds_skipped: [...seeds.skipped],
    server_log: serverLog,
    ok: violations.length === 0 && replies === options.frames,
  };
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
