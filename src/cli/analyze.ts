// `moodwire analyze`: sends a file (or stdin) through one streaming connection and prints the merged
// predictions as one JSON object. Long audio is decoded and streamed as WAV windows; long text is cut
// into chunks whose language positions are shifted back onto the whole text.

import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

import {
  chunkText,
  connect,
  DEFAULT_URL,
  detectKind,
  formatScores,
  hasPredictions,
  isWarning,
  shiftLanguagePrediction,
  StreamError,
  streamUrl,
  topScores,
  wavWindows,
  type StreamConfig,
  type StreamReply,
  type StreamSocket,
} from "../client/index.js";
import { decodeAudio, sniffMedia } from "../media/index.js";
import {
  DEFAULT_LIMITS,
  LANGUAGE_GRANULARITIES,
  MODEL_NAMES,
  STREAM_PATH,
  STREAM_WINDOW_MS,
  type FacePrediction,
  type LanguageGranularity,
  type LanguagePrediction,
  type ModelName,
} from "../protocol/index.js";
import { createProgress, type ProgressStream } from "./progress.js";
import { videoWindows } from "./video-windows.js";

const SAMPLE_RATE = 16_000;
const DEFAULT_WINDOW_MS = 4500;
/** Requests kept in flight on the connection (well under the server's default limit of 32). */
const MAX_IN_FLIGHT = 4;

export const ANALYZE_USAGE = `Usage: moodwire analyze <file|-> --models <list> [options]

Sends a file (or stdin with '-') through one streaming connection and prints the predictions.
Long audio is streamed as WAV windows, long text as chunks, and long video for face or facemesh as
4.5 s windows cut with ffmpeg (face times and frames on the file's timeline).

Options:
  --models, -m <list>   Comma-separated models: ${MODEL_NAMES.join(", ")} (required)
  --url <url>           Server endpoint, or its base URL as the SDKs take it (http://host:8000)
                        (default ${DEFAULT_URL})
  --api-key <key>       API key (default: $MOODWIRE_API_KEY, then $HUME_API_KEY)
  --granularity <g>     Language granularity: ${LANGUAGE_GRANULARITIES.join(", ")} (default word)
  --sentiment           Add language sentiment
  --toxicity            Add language toxicity
  --facs                Add face FACS
  --descriptions        Add face descriptions
  --identify-faces      Track face identities
  --window-ms <ms>      Audio window length, ${STREAM_WINDOW_MS.min}-${STREAM_WINDOW_MS.max} (default ${DEFAULT_WINDOW_MS})
  --pretty              One indented JSON object for the whole file (the default on a terminal)
  --ndjson              One JSON line per window as it is answered (the default when piped)
  --top <n>             A readable summary: each prediction with its n strongest scores
  --help, -h            Show this help

Exit status: 0 on success, 1 when any window failed (the output is still printed), 2 on usage errors.`;

/** How the results are printed: per window as answered, the whole file at the end, or a summary. */
export type OutputFormat = { kind: "ndjson" } | { kind: "pretty" } | { kind: "top"; count: number };

export interface AnalyzeOptions {
  input: string;
  models: ModelName[];
  url: string;
  apiKey?: string;
  granularity?: LanguageGranularity;
  sentiment: boolean;
  toxicity: boolean;
  facs: boolean;
  descriptions: boolean;
  identifyFaces: boolean;
  windowMs: number;
  /** Undefined: pretty on a terminal, NDJSON otherwise. */
  format?: OutputFormat;
}

export type ParsedAnalyzeArgs = { ok: true; options: AnalyzeOptions } | { ok: false; message: string } | { ok: "help" };

export function parseAnalyzeArgs(args: string[], env: NodeJS.ProcessEnv = {}): ParsedAnalyzeArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        models: { type: "string", short: "m" },
        url: { type: "string" },
        "api-key": { type: "string" },
        granularity: { type: "string" },
        sentiment: { type: "boolean" },
        toxicity: { type: "boolean" },
        facs: { type: "boolean" },
        descriptions: { type: "boolean" },
        "identify-faces": { type: "boolean" },
        "window-ms": { type: "string" },
        pretty: { type: "boolean" },
        ndjson: { type: "boolean" },
        top: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { ok: "help" };
  if (positionals.length !== 1) {
    return { ok: false, message: positionals.length === 0 ? "missing the input file (use '-' for stdin)" : `expected one input file, got ${positionals.length}` };
  }
  if (values.models === undefined || values.models.trim() === "") return { ok: false, message: "--models is required" };
  const models: ModelName[] = [];
  for (const name of values.models.split(",").map((m) => m.trim()).filter((m) => m !== "")) {
    if (!(MODEL_NAMES as readonly string[]).includes(name)) {
      return { ok: false, message: `unknown model '${name}' (choose from ${MODEL_NAMES.join(", ")})` };
    }
    if (!models.includes(name as ModelName)) models.push(name as ModelName);
  }
  if (models.length === 0) return { ok: false, message: "--models names no model" };
  let granularity: LanguageGranularity | undefined;
  if (values.granularity !== undefined) {
    if (!(LANGUAGE_GRANULARITIES as readonly string[]).includes(values.granularity)) {
      return { ok: false, message: `unknown granularity '${values.granularity}' (choose from ${LANGUAGE_GRANULARITIES.join(", ")})` };
    }
    granularity = values.granularity as LanguageGranularity;
  }
  let windowMs = DEFAULT_WINDOW_MS;
  if (values["window-ms"] !== undefined) {
    windowMs = Number(values["window-ms"]);
    if (!Number.isInteger(windowMs) || windowMs < STREAM_WINDOW_MS.min || windowMs > STREAM_WINDOW_MS.max) {
      return { ok: false, message: `--window-ms must be an integer from ${STREAM_WINDOW_MS.min} to ${STREAM_WINDOW_MS.max}` };
    }
  }
  const apiKey = values["api-key"] ?? env.MOODWIRE_API_KEY ?? env.HUME_API_KEY;
  const options: AnalyzeOptions = {
    input: positionals[0] ?? "-",
    models,
    url: values.url ?? DEFAULT_URL,
    sentiment: values.sentiment ?? false,
    toxicity: values.toxicity ?? false,
    facs: values.facs ?? false,
    descriptions: values.descriptions ?? false,
    identifyFaces: values["identify-faces"] ?? false,
    windowMs,
  };
  if (apiKey !== undefined && apiKey !== "") options.apiKey = apiKey;
  if (granularity !== undefined) options.granularity = granularity;
  const formats = [values.pretty === true, values.ndjson === true, values.top !== undefined].filter(Boolean).length;
  if (formats > 1) return { ok: false, message: "choose one of --pretty, --ndjson and --top" };
  if (values.top !== undefined) {
    const count = Number(values.top);
    if (!Number.isInteger(count) || count < 1 || count > 53) return { ok: false, message: "--top must be an integer from 1 to 53" };
    options.format = { kind: "top", count };
  } else if (values.pretty === true) options.format = { kind: "pretty" };
  else if (values.ndjson === true) options.format = { kind: "ndjson" };
  return { ok: true, options };
}

/** The client config for the chosen models and flags. */
export function buildConfig(options: AnalyzeOptions): StreamConfig {
  const config: StreamConfig = {};
  for (const model of options.models) {
    if (model === "language") {
      config.language = {};
      if (options.granularity !== undefined) config.language.granularity = options.granularity;
      if (options.sentiment) config.language.sentiment = {};
      if (options.toxicity) config.language.toxicity = {};
    } else if (model === "face") {
      config.face = {};
      if (options.facs) config.face.facs = {};
      if (options.descriptions) config.face.descriptions = {};
      if (options.identifyFaces) config.face.identify_faces = true;
    } else {
      config[model] = {};
    }
  }
  return config;
}

// --- Planning -----------------------------------------------------------------------------------

/** One payload to send: text (raw_text) or file bytes (base64). */
export type PlannedPayload =
  | { type: "text"; text: string; offset: number }
  | { type: "bytes"; bytes: Uint8Array; startMs?: number; frameOffset?: number };

export interface Plan {
  /** Detected kind: text, facemesh, image, audio, video or unknown. */
  kind: string;
  payloads: PlannedPayload[];
  /** stream_window_ms to send, when the payloads are audio windows. */
  streamWindowMs?: number;
  /** Notes for the output's warnings (e.g. audio sent whole because it could not be decoded). */
  notes: string[];
}

export type AudioDecoder = (bytes: Uint8Array) => Promise<Float32Array>;

/** Video windows stay under the server's default 5 s video limit. */
export const VIDEO_WINDOW_MS = DEFAULT_LIMITS.maxVideoMs - 500;

export interface PlanOptions {
  models: readonly ModelName[];
  windowMs: number;
  /** Length of the video windows (default VIDEO_WINDOW_MS). */
  videoWindowMs?: number;
  /** Replaces the ffmpeg video cutter (tests). */
  cutVideo?: typeof videoWindows;
  maxTextChars?: number;
  decodeAudio?: AudioDecoder;
}

/** Decides how to stream `bytes`: text chunks, audio windows, or one payload. */
export async function planPayloads(bytes: Uint8Array, options: PlanOptions): Promise<Plan> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sniffed = sniffMedia(buffer);
  const kind: string = sniffed?.kind ?? detectKind(bytes);
  const maxTextChars = options.maxTextChars ?? DEFAULT_LIMITS.maxTextChars;

  if (kind === "text") {
    let text = buffer.toString("utf8");
    if (text.startsWith("\uFEFF")) text = text.slice(1);
    const chunks = chunkText(text, maxTextChars);
    if (chunks.length === 0) chunks.push({ text: "", start: 0, end: 0 });
    return { kind, payloads: chunks.map((c) => ({ type: "text", text: c.text, offset: c.start })), notes: [] };
  }

  // Audio, and video when no visual model is asked for, is streamed as audio windows.
  const visual = options.models.includes("face") || options.models.includes("facemesh");
  if (kind === "audio" || (kind === "video" && !visual)) {
    const windowSamples = Math.round((options.windowMs * SAMPLE_RATE) / 1000);
    let samples: Float32Array | undefined;
    const notes: string[] = [];
    try {
      samples = await (options.decodeAudio ?? decodeWithMedia)(bytes);
    } catch (error) {
      notes.push(`audio could not be decoded locally (${(error as Error).message}); sent as one payload`);
    }
    if (samples !== undefined && samples.length > windowSamples) {
      const payloads: PlannedPayload[] = wavWindows(samples, SAMPLE_RATE, windowSamples).map((w) => ({
        type: "bytes",
        bytes: w.wav,
        startMs: (w.startSample * 1000) / SAMPLE_RATE,
      }));
      return { kind, payloads, streamWindowMs: options.windowMs, notes };
    }
    return { kind, payloads: [{ type: "bytes", bytes }], notes };
  }
  // Video for a visual model: windows that each fit one payload, cut on the client.
  if (kind === "video") {
    const notes: string[] = [];
    try {
      const windows = await (options.cutVideo ?? videoWindows)(bytes, options.videoWindowMs ?? VIDEO_WINDOW_MS);
      if (windows !== undefined) {
        return { kind, payloads: windows.map((w) => ({ type: "bytes", bytes: w.bytes, startMs: w.startMs, frameOffset: w.frameOffset })), streamWindowMs: options.windowMs, notes };
      }
    } catch (error) {
      notes.push(`video could not be cut into windows locally (${(error as Error).message.split("\n")[0]}); sent as one payload`);
    }
    return { kind, payloads: [{ type: "bytes", bytes }], notes };
  }
  return { kind, payloads: [{ type: "bytes", bytes }], notes: [] };
}

// --- Audio decoding -----------------------------------------------------------------------------

/** Decodes any audio (or a video's audio track) to 16 kHz mono float PCM (src/media: WAV in-process, else ffmpeg). */
async function decodeWithMedia(bytes: Uint8Array): Promise<Float32Array> {
  const clip = await decodeAudio(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return clip.samples;
}

// --- Sending and merging ------------------------------------------------------------------------

export interface WindowResult {
  index: number;
  payload: PlannedPayload;
  reply?: StreamReply;
  error?: { code: string; error: string };
}

export interface AnalyzeWarning {
  window: number;
  model?: string;
  code: string;
  warning: string;
}

export interface AnalyzeError {
  window: number;
  code: string;
  error: string;
}

export interface AnalyzeOutput {
  file: string;
  models: Partial<Record<ModelName, { predictions: unknown[] }>>;
  warnings: Array<AnalyzeWarning | { code: string; warning: string }>;
  errors: AnalyzeError[];
}

function timeKey(item: unknown): [number, number] {
  const time = (item as { time?: unknown }).time;
  if (typeof time === "number") return [time, 0];
  if (typeof time === "object" && time !== null) {
    const t = time as { begin?: unknown; end?: unknown };
    return [typeof t.begin === "number" ? t.begin : 0, typeof t.end === "number" ? t.end : 0];
  }
  return [0, 0];
}

/** Merges per-window replies into one prediction list per model, in time order, plus warnings and errors. */
export function mergeResults(file: string, models: readonly ModelName[], results: readonly WindowResult[]): AnalyzeOutput {
  const output: AnalyzeOutput = { file, models: {}, warnings: [], errors: [] };
  const merged = new Map<ModelName, unknown[]>(models.map((m) => [m, []]));
  const ordered = [...results].sort((a, b) => a.index - b.index);
  for (const result of ordered) {
    if (result.error !== undefined) {
      output.errors.push({ window: result.index, code: result.error.code, error: result.error.error });
      continue;
    }
    const reply = result.reply ?? {};
    if (typeof reply.warning === "string") {
      output.warnings.push({ window: result.index, code: reply.code ?? "", warning: reply.warning });
    }
    for (const model of models) {
      const out = reply[model];
      if (out === undefined) continue;
      if (isWarning(out)) {
        output.warnings.push({ window: result.index, model, code: out.code, warning: out.warning });
        continue;
      }
      if (!hasPredictions(out)) continue;
      const list = merged.get(model) ?? [];
      if (model === "language" && result.payload.type === "text" && result.payload.offset !== 0) {
        const offset = result.payload.offset;
        for (const item of out.predictions as LanguagePrediction[]) list.push(shiftLanguagePrediction(item, offset));
      } else if (model === "face" && result.payload.type === "bytes" && result.payload.frameOffset !== undefined) {
        // Face times and frames count from the payload's start: move them onto the file's.
        const { startMs = 0, frameOffset } = result.payload;
        for (const item of out.predictions as FacePrediction[]) {
          list.push({ ...item, frame: item.frame + frameOffset, time: item.time === null ? null : Math.round((item.time + startMs / 1000) * 1000) / 1000 });
        }
      } else {
        list.push(...(out.predictions as unknown[]));
      }
      merged.set(model, list);
    }
  }
  const multiWindow = results.length > 1;
  for (const [model, list] of merged) {
    let items = list;
    if (multiWindow && (model === "prosody" || model === "burst" || model === "face")) {
      // Stable sort on the stream timeline; identical segments repeated by overlapping windows are kept once.
      items = list
        .map((item, i) => ({ item, i, key: timeKey(item) }))
        .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.i - b.i)
        .map((e) => e.item);
      if (model !== "face") {
        const seen = new Set<string>();
        items = items.filter((item) => {
          const key = JSON.stringify(item);
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
      }
    }
    output.models[model] = { predictions: items };
  }
  return output;
}

async function sendAll(socket: StreamSocket, payloads: readonly PlannedPayload[], onDone: (result: WindowResult) => void): Promise<WindowResult[]> {
  const results: WindowResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < payloads.length) {
      const index = next++;
      const payload = payloads[index]!;
      const result: WindowResult = { index, payload };
      try {
        result.reply = payload.type === "text" ? await socket.sendText(payload.text) : await socket.sendFile(payload.bytes);
      } catch (error) {
        result.error =
          error instanceof StreamError
            ? { code: error.code, error: error.message }
            : { code: "CONNECTION", error: error instanceof Error ? error.message : String(error) };
      }
      results.push(result);
      onDone(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_IN_FLIGHT, payloads.length) }, worker));
  return results;
}

// --- Entry point --------------------------------------------------------------------------------

export interface AnalyzeIO {
  stdout: { write(chunk: string, callback?: (error?: Error | null) => void): unknown; isTTY?: boolean };
  stderr: ProgressStream;
  stdin: AsyncIterable<Buffer | string>;
  env: NodeJS.ProcessEnv;
  /** Replaces the ffmpeg decoder (tests). */
  decodeAudio?: AudioDecoder;
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
  return Buffer.concat(chunks);
}

function writeOut(io: AnalyzeIO, text: string): Promise<void> {
  return new Promise<void>((resolve) => {
    io.stdout.write(text, () => resolve());
  });
}

/**
 * The requested models the server does not serve, from its GET /info, before anything is sent; undefined
 * when that cannot be told (a proxy in front, an older server, no answer in 3 s), and then the replies say.
 */
async function modelsNotServed(url: string, models: readonly string[]): Promise<{ absent: string[]; served: string[] } | undefined> {
  const endpoint = new URL(streamUrl(url));
  if (!endpoint.pathname.endsWith(STREAM_PATH)) return undefined;
  endpoint.protocol = endpoint.protocol === "wss:" ? "https:" : "http:";
  endpoint.pathname = `${endpoint.pathname.slice(0, -STREAM_PATH.length)}/info`;
  endpoint.search = "";
  try {
    const response = await fetch(endpoint, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) return undefined;
    const info = (await response.json()) as { models?: { name?: unknown }[] };
    if (!Array.isArray(info.models)) return undefined;
    const served = info.models.map((m) => String(m.name));
    return { absent: models.filter((m) => !served.includes(m)), served };
  } catch {
    return undefined;
  }
}

/** Runs `moodwire analyze <args>`; resolves with the exit code. */
export async function runAnalyze(args: string[], io: Partial<AnalyzeIO> = {}): Promise<number> {
  const streams: AnalyzeIO = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    stdin: io.stdin ?? process.stdin,
    env: io.env ?? process.env,
  };
  if (io.decodeAudio !== undefined) streams.decodeAudio = io.decodeAudio;
  const say = (line: string): void => void streams.stderr.write(`${line}\n`);

  const parsed = parseAnalyzeArgs(args, streams.env);
  if (parsed.ok === "help") {
    await writeOut(streams, `${ANALYZE_USAGE}\n`);
    return 0;
  }
  if (!parsed.ok) {
    say(`moodwire analyze: ${parsed.message}\n\n${ANALYZE_USAGE}`);
    return 2;
  }
  const options = parsed.options;

  let bytes: Buffer;
  try {
    bytes = options.input === "-" ? await readAll(streams.stdin) : await readFile(options.input);
  } catch (error) {
    say(`moodwire analyze: cannot read '${options.input}': ${(error as Error).message}`);
    return 2;
  }

  const missing = await modelsNotServed(options.url, options.models);
  if (missing !== undefined && missing.absent.length > 0) {
    for (const model of missing.absent) say(`moodwire analyze: the server does not serve '${model}' (it serves: ${missing.served.join(", ") || "no models"})`);
    return 2;
  }

  const planOptions: PlanOptions = { models: options.models, windowMs: options.windowMs };
  if (streams.decodeAudio !== undefined) planOptions.decodeAudio = streams.decodeAudio;
  const plan = await planPayloads(bytes, planOptions);

  let socket: StreamSocket;
  try {
    const connectOptions: Parameters<typeof connect>[0] = { url: options.url, config: buildConfig(options) };
    if (options.apiKey !== undefined) connectOptions.apiKey = options.apiKey;
    if (plan.streamWindowMs !== undefined) connectOptions.streamWindowMs = plan.streamWindowMs;
    socket = await connect(connectOptions);
  } catch (error) {
    say(`moodwire analyze: ${(error as Error).message}`);
    return 1;
  }

  const unit = plan.payloads[0]?.type === "text" ? "chunks" : "windows";
  const progress = createProgress(plan.payloads.length, streams.stderr, unit);
  const file = options.input === "-" ? "-" : options.input;
  const format: OutputFormat = options.format ?? (streams.stdout.isTTY === true ? { kind: "pretty" } : { kind: "ndjson" });
  const lines = new WindowLines(file, options.models, (line) => void streams.stdout.write(line));
  let results: WindowResult[];
  try {
    results = await sendAll(socket, plan.payloads, (result) => {
      progress.tick();
      if (format.kind === "ndjson") lines.add(result);
    });
  } finally {
    progress.done();
    await socket.close();
  }

  const output = mergeResults(file, options.models, results);
  for (const note of plan.notes) output.warnings.push({ code: "analyze", warning: note });
  const rendered: Record<OutputFormat["kind"], () => string> = {
    // The windows are out already; the plan's notes follow as a last line of their own.
    ndjson: () => plan.notes.map((note) => `${JSON.stringify({ warnings: [{ code: "analyze", warning: note }] })}\n`).join(""),
    pretty: () => `${JSON.stringify(output, null, 2)}\n`,
    top: () => topSummary(output, format.kind === "top" ? format.count : 0),
  };
  await writeOut(streams, rendered[format.kind]());
  return output.errors.length > 0 ? 1 : 0;
}

/** NDJSON: one line per window, written in window order as soon as every earlier window is answered. */
class WindowLines {
  private readonly waiting = new Map<number, WindowResult>();
  private next = 0;

  constructor(private readonly file: string, private readonly models: readonly ModelName[], private readonly write: (line: string) => void) {}

  add(result: WindowResult): void {
    this.waiting.set(result.index, result);
    for (let ready = this.waiting.get(this.next); ready !== undefined; ready = this.waiting.get(this.next)) {
      this.waiting.delete(this.next++);
      const { file: _file, ...merged } = mergeResults(this.file, this.models, [ready]);
      const where = ready.payload.type === "text" ? { text_offset: ready.payload.offset } : ready.payload.startMs === undefined ? {} : { start_ms: ready.payload.startMs };
      this.write(`${JSON.stringify({ window: ready.index, ...where, ...merged })}\n`);
    }
  }
}

// --- Summary (--top) ----------------------------------------------------------------------------

interface SummaryItem {
  text?: string;
  time?: number | { begin: number; end: number };
  frame?: number;
  face_id?: string;
  emotions?: { name: string; score: number }[];
}

const seconds = (t: number): string => `${t.toFixed(2)} s`;

/** Where a prediction sits: its text, its time range, or its frame and face. */
function itemLabel(item: SummaryItem): string {
  if (typeof item.text === "string") return JSON.stringify(item.text);
  const time = typeof item.time === "number" ? seconds(item.time) : item.time !== undefined ? `${item.time.begin.toFixed(2)}–${seconds(item.time.end)}` : "";
  const face = item.face_id !== undefined ? ` ${item.face_id}` : "";
  return item.frame !== undefined ? `frame ${item.frame} (${time})${face}` : time;
}

/** Each model's predictions, one line each with its `count` strongest emotions; then warnings and errors. */
export function topSummary(output: AnalyzeOutput, count: number): string {
  const lines: string[] = [];
  for (const [model, result] of Object.entries(output.models)) {
    const items = (result?.predictions ?? []) as SummaryItem[];
    lines.push(`${model}: ${items.length} prediction${items.length === 1 ? "" : "s"}`);
    for (const item of items) {
      lines.push(`  ${itemLabel(item)}  ${formatScores(topScores(item.emotions ?? [], count))}`);
    }
  }
  for (const w of output.warnings) lines.push(`warning ${w.code}${"model" in w && w.model !== undefined ? ` (${w.model})` : ""}: ${w.warning}`);
  for (const e of output.errors) lines.push(`error ${e.code} (window ${e.window}): ${e.error}`);
  return `${lines.join("\n")}\n`;
}
