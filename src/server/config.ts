// Server settings: every one has a CLI flag and most an environment variable; `serve --help` lists them.

import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { DEFAULT_LIMITS, MODEL_NAMES, type Limits, type ModelName } from "../protocol/index.js";
import { LOG_LEVELS, type LogLevel } from "./log.js";

export interface ServerConfig {
  host: string;
  port: number;
  apiKeys: string[];
  insecure: boolean;
  /** Models to enable; undefined means every installed model. */
  models: ModelName[] | undefined;
  /** Worker threads in total, shared by every model. */
  workers: number;
  /** Per-model cap on workers running it at once. */
  modelWorkers: Partial<Record<ModelName, number>>;
  intraOpThreads: number;
  batchWindowMs: number;
  maxBatch: number;
  taskTimeoutMs: number;
  /** Every model call in a worker thread, none inline on the main thread. */
  isolateModels: boolean;
  limits: Limits;
  maxConnections: number;
  maxConnectionsPerClient: number;
  handshakesPerSecond: number;
  /** Server-wide bytes of frames and decoded media in flight; past it every connection stops reading. */
  maxPendingBytes: number;
  shutdownGraceMs: number;
  /** Least severe log line written (one JSON object per line on stderr). */
  logLevel: LogLevel;
  /** Serve the playground page at GET /; undefined means on for a loopback host, off otherwise. */
  playground: boolean | undefined;
}

const DEFAULT_MAX_PENDING_BYTES = 256 * 1024 * 1024;

type Setter = (config: ServerConfig, value: string) => void;

interface OptionSpec {
  flag: string;
  env?: string;
  /** Flags without a value (booleans). */
  boolean?: boolean;
  /** A boolean's negative spelling (`--no-playground`), the same as the flag with the value 0. */
  negation?: string;
  help: string;
  defaultText: string;
  set: Setter;
}

class ConfigError extends Error {}

function integer(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer ≥ ${min}, got '${value}'`);
    return n;
  };
}

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { "1": true, true: true, yes: true, on: true, "0": false, false: false, no: false, off: false };

/** A boolean setting: 1/true/yes/on or 0/false/no/off (any case); anything else is an error, never "on". */
function logLevel(value: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === value.trim().toLowerCase());
  if (level === undefined) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(", ")}; got '${value}'`);
  return level;
}

function boolean(name: string): (value: string) => boolean {
  return (value) => {
    const parsed = BOOLEAN_WORDS[value.trim().toLowerCase()];
    if (parsed === undefined) throw new ConfigError(`${name} must be one of 1, true, yes, on, 0, false, no, off; got '${value}'`);
    return parsed;
  };
}

function limit(key: keyof Limits, flag: string, help: string, min = 1): OptionSpec {
  return {
    flag,
    env: `MOODWIRE_${flag.replace(/^--/, "").replaceAll("-", "_").toUpperCase()}`,
    help,
    defaultText: String(DEFAULT_LIMITS[key]),
    set: (c, v) => {
      c.limits[key] = integer(flag, min)(v);
    },
  };
}

function parseModels(value: string): ModelName[] {
  const names = value.split(",").map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(MODEL_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError(`unknown model '${name}' in --models (known: ${MODEL_NAMES.join(", ")})`);
    }
  }
  return names as ModelName[];
}

function parseModelWorkers(value: string): Partial<Record<ModelName, number>> {
  const caps: Partial<Record<ModelName, number>> = {};
  for (const item of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [name, count] = item.split("=");
    const [model] = parseModels(name ?? "");
    if (model === undefined || count === undefined) throw new ConfigError(`--model-workers takes model=count pairs, got '${item}'`);
    caps[model] = integer(`--model-workers ${model}`, 1)(count);
  }
  return caps;
}

function parseKeys(text: string): string[] {
  return text.split(/[,\n]/).map((k) => k.trim()).filter((k) => k.length > 0 && !k.startsWith("#"));
}

const OPTIONS: readonly OptionSpec[] = [
  { flag: "--host", env: "HOST", help: "Address to listen on.", defaultText: "127.0.0.1", set: (c, v) => (c.host = v) },
  { flag: "--port", env: "PORT", help: "Port to listen on (0 picks a free one).", defaultText: "8000", set: (c, v) => (c.port = integer("--port", 0)(v)) },
  { flag: "--api-keys", env: "MOODWIRE_API_KEYS", help: "Comma-separated API keys clients must present.", defaultText: "none", set: (c, v) => c.apiKeys.push(...parseKeys(v)) },
  {
    flag: "--api-keys-file",
    env: "MOODWIRE_API_KEYS_FILE",
    help: "File with one API key per line (# comments allowed).",
    defaultText: "none",
    set: (c, v) => c.apiKeys.push(...parseKeys(readFileSync(v, "utf8"))),
  },
  { flag: "--insecure", env: "MOODWIRE_INSECURE", boolean: true, help: "Allow running without API keys on a non-loopback address.", defaultText: "off", set: (c, v) => (c.insecure = boolean("--insecure")(v)) },
  { flag: "--models", env: "MOODWIRE_MODELS", help: `Models to enable, comma-separated (${MODEL_NAMES.join(", ")}).`, defaultText: "all installed", set: (c, v) => (c.models = parseModels(v)) },
  { flag: "--workers", env: "MOODWIRE_WORKERS", help: "Worker threads in total, shared by every model (each worker holds one session of each).", defaultText: "CPU count - 1 (at least 1)", set: (c, v) => (c.workers = integer("--workers", 1)(v)) },
  {
    flag: "--model-workers",
    env: "MOODWIRE_MODEL_WORKERS",
    help: "Per-model cap on workers running it at once, e.g. 'face=2,language=1' (the rest stay free for other models).",
    defaultText: "none (any worker runs any model)",
    set: (c, v) => (c.modelWorkers = parseModelWorkers(v)),
  },
  { flag: "--intra-op-threads", env: "MOODWIRE_INTRA_OP_THREADS", help: "ONNX Runtime intra-op threads per worker.", defaultText: "1", set: (c, v) => (c.intraOpThreads = integer("--intra-op-threads", 1)(v)) },
  { flag: "--batch-window-ms", env: "MOODWIRE_BATCH_WINDOW_MS", help: "Longest wait to fill a cross-connection micro-batch (0 = none).", defaultText: "0", set: (c, v) => (c.batchWindowMs = integer("--batch-window-ms", 0)(v)) },
  { flag: "--max-batch", env: "MOODWIRE_MAX_BATCH", help: "Largest micro-batch.", defaultText: "8", set: (c, v) => (c.maxBatch = integer("--max-batch", 1)(v)) },
  { flag: "--task-timeout-ms", env: "MOODWIRE_TASK_TIMEOUT_MS", help: "A model batch that takes longer fails with I0101 and its worker is restarted.", defaultText: "30000", set: (c, v) => (c.taskTimeoutMs = integer("--task-timeout-ms", 100)(v)) },
  {
    flag: "--isolate-models",
    env: "MOODWIRE_ISOLATE_MODELS",
    boolean: true,
    help: "Run every model call in a worker thread. By default a short text that finds the language workers idle runs on the main thread (~0.3 ms sooner), where a native crash of the model would take the server down instead of one worker.",
    defaultText: "off",
    set: (c, v) => (c.isolateModels = boolean("--isolate-models")(v)),
  },
  limit("maxAudioMs", "--max-audio-ms", "Longest audio per payload, ms."),
  limit("maxVideoMs", "--max-video-ms", "Longest video per payload, ms."),
  limit("maxImageSide", "--max-image-side", "Largest image width or height, pixels."),
  limit("maxTextChars", "--max-text-chars", "Longest text, Unicode code points (before and after NFKC normalization)."),
  limit("maxFacemeshFaces", "--max-facemesh-faces", "Most faces per facemesh payload."),
  limit("maxFrameBytes", "--max-frame-bytes", "Largest WebSocket frame answered (frames up to twice this get E0208; larger ones close the connection with 1009)."),
  limit("maxInFlight", "--max-in-flight", "Requests in flight per connection; past it the server stops reading, past twice it answers E0300."),
  limit("idleTimeoutMs", "--idle-timeout-ms", "Close idle connections after this long (close code 1000)."),
  { flag: "--max-connections", env: "MOODWIRE_MAX_CONNECTIONS", help: "Most open connections (HTTP 429 past it).", defaultText: "1000", set: (c, v) => (c.maxConnections = integer("--max-connections", 1)(v)) },
  { flag: "--max-connections-per-key", env: "MOODWIRE_MAX_CONNECTIONS_PER_KEY", help: "Most open connections per API key (or per IP without keys).", defaultText: "200", set: (c, v) => (c.maxConnectionsPerClient = integer("--max-connections-per-key", 1)(v)) },
  { flag: "--handshakes-per-second", env: "MOODWIRE_HANDSHAKES_PER_SECOND", help: "Handshakes per second per API key or IP (HTTP 429 past it).", defaultText: "50", set: (c, v) => (c.handshakesPerSecond = integer("--handshakes-per-second", 1)(v)) },
  {
    flag: "--max-pending-bytes",
    env: "MOODWIRE_MAX_PENDING_BYTES",
    help: "Server-wide bytes of received frames and decoded media in flight; past it every connection stops reading until replies catch up.",
    defaultText: `${DEFAULT_MAX_PENDING_BYTES} (256 MiB)`,
    set: (c, v) => (c.maxPendingBytes = integer("--max-pending-bytes", 1)(v)),
  },
  {
    flag: "--log-level",
    env: "MOODWIRE_LOG_LEVEL",
    help: `Least severe log line written, one JSON object per line on stderr (${LOG_LEVELS.join(", ")}).`,
    defaultText: "info",
    set: (c, v) => (c.logLevel = logLevel(v)),
  },
  {
    flag: "--playground",
    negation: "--no-playground",
    env: "MOODWIRE_PLAYGROUND",
    boolean: true,
    help: "Serve the playground page (camera, microphone and text against this server) at GET /.",
    defaultText: "on for a loopback --host, off otherwise",
    set: (c, v) => (c.playground = boolean("--playground")(v)),
  },
  { flag: "--shutdown-grace-ms", env: "MOODWIRE_SHUTDOWN_GRACE_MS", help: "On SIGTERM, time allowed for in-flight replies before sockets close with 1012 (service restart).", defaultText: "10000", set: (c, v) => (c.shutdownGraceMs = integer("--shutdown-grace-ms", 0)(v)) },
];

export function defaultConfig(): ServerConfig {
  return {
    host: "127.0.0.1",
    port: 8000,
    apiKeys: [],
    insecure: false,
    models: undefined,
    // One core is left to the event loop (WebSocket I/O, JSON, decoding): on 2 cores, two busy workers
    // starve it (event-loop p99 54 ms vs 20 ms with one worker in `npm run bench -- text`).
    workers: Math.max(1, availableParallelism() - 1),
    modelWorkers: {},
    intraOpThreads: 1,
    batchWindowMs: 0,
    maxBatch: 8,
    taskTimeoutMs: 30_000,
    isolateModels: false,
    limits: { ...DEFAULT_LIMITS },
    maxConnections: 1000,
    maxConnectionsPerClient: 200,
    handshakesPerSecond: 50,
    maxPendingBytes: DEFAULT_MAX_PENDING_BYTES,
    shutdownGraceMs: 10_000,
    logLevel: "info",
    playground: undefined,
  };
}

export type ConfigResult = { ok: true; config: ServerConfig } | { ok: false; message: string };

/** Environment first, then flags (flags win). */
export function parseServeArgs(args: readonly string[], env: NodeJS.ProcessEnv): ConfigResult {
  const config = defaultConfig();
  try {
    for (const option of OPTIONS) {
      const value = option.env === undefined ? undefined : env[option.env];
      if (value === undefined || value === "") continue;
      try {
        option.set(config, value);
      } catch (error) {
        // The message names the flag; the value came from the environment, so say which variable.
        if (error instanceof ConfigError) throw new ConfigError(`${option.env}=${value}: ${error.message}`);
        throw error;
      }
    }
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
      const option = OPTIONS.find((o) => o.flag === flag || o.negation === flag);
      if (option === undefined) throw new ConfigError(`unknown option '${arg}' (see 'moodwire serve --help')`);
      if (option.negation === flag) {
        if (inline !== undefined) throw new ConfigError(`${flag} takes no value (use ${option.flag}=${inline})`);
        option.set(config, "0");
        continue;
      }
      if (option.boolean === true) {
        option.set(config, inline ?? "1");
        continue;
      }
      const value = inline ?? args[++i];
      if (value === undefined) throw new ConfigError(`option ${flag} needs a value`);
      option.set(config, value);
    }
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, message: error.message };
    if (error instanceof Error && "code" in error) return { ok: false, message: error.message };
    throw error;
  }
  return { ok: true, config };
}

export function serveHelp(): string {
  const rows = OPTIONS.map((o) => {
    const name = o.boolean !== true ? `${o.flag} <value>` : o.negation === undefined ? o.flag : `${o.flag}, ${o.negation}`;
    const env = o.env === undefined ? "" : ` [env ${o.env}]`;
    return `  ${name.padEnd(32)} ${o.help} Default: ${o.defaultText}.${env}`;
  });
  return ["Usage: moodwire serve [options]", "", "Starts the HTTP + WebSocket server (/v0/stream/models, /healthz, /readyz, /metrics, /info, and the playground page at /).", "", "Options:", ...rows, "  --help                           Show this help."].join("\n");
}

/** Loopback addresses may run without keys; anything else needs keys or --insecure. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

/** Whether GET / serves the playground: as configured, else only on loopback (a public server shows no page unasked). */
export function servesPlayground(config: Pick<ServerConfig, "host" | "playground">): boolean {
  return config.playground ?? isLoopback(config.host);
}
