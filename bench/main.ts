// `npm run bench -- <scenario> [options]`: speed figures for one scenario, as one JSON object on the
// last line of stdout (progress goes to stderr).
//
// Scenarios: text (alias language), face, audio, mixed. Each run, in one process tree:
//   1. model-only: the model alone on the same inputs, in this process, one thread (language: its
//      worker kernel called directly; face/audio: the model's predict() on pre-decoded media);
//   2. the server as a child process (bench/server-child.ts), so that its event loop delay and RSS
//      are its own and not the load generator's;
//   3. one connection, sequential requests → e2e p50/p95/p99 and overhead_ratio; beside them the bare
//      transport (bench/echo-child.ts) and the model after an idle gap, to split the overhead;
//   4. 100 connections, closed loop, `--payloads` (10,000) payloads → throughput, event-loop p99 and
//      server RSS before/after (after a forced GC in the server).

import { fork, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { DecodedMedia, DecodeNeeds } from "../src/media/types.js";
import type { LanguageKernelInput } from "../src/models/language/kernel-types.js";
import type { ModelFactory } from "../src/models/types.js";
import type { ModelName } from "../src/protocol/index.js";
import type { Kernel, KernelFactory } from "../src/runtime/kernel.js";
import { Client, frame, openClients, runClosedLoop, runSequential, type Frame, type SequentialResult } from "./load.js";
import { SENTENCES } from "./sentences.js";
import type { EchoSettings } from "./echo-child.js";
import type { ChildMessage, ChildSettings, ChildStats } from "./server-child.js";
import { round, slope, summarize } from "./stats.js";

const SCENARIOS = ["text", "language", "face", "audio", "mixed"] as const;
type ScenarioName = (typeof SCENARIOS)[number];

interface Options {
  scenario: ScenarioName;
  payloads: number;
  connections: number;
  sequential: number;
  modelIterations: number;
  phaseBudgetS: number;
  server: Omit<ChildSettings, "models">;
}

const USAGE = `Usage: npm run bench -- <${SCENARIOS.join("|")}> [options]

Options (defaults in brackets):
  --payloads N           payloads sent over the concurrent connections, RSS measured around them [10000]
  --connections N        concurrent connections for the throughput phase [100]
  --sequential N         sequential requests on one connection for e2e latency [1000]
  --model-iterations N   model-only runs [500]
  --phase-budget-s N     longest time for any one phase, seconds [150]
  --workers N            server: worker threads per model [server default: CPU count]
  --intra-op-threads N   server: ONNX intra-op threads per worker [server default]
  --batch-window-ms N    server: micro-batch window [server default]
  --max-batch N          server: largest micro-batch [server default]
  --max-in-flight N      server: requests in flight per connection [server default]

Prints one JSON object as the last line of stdout.`;

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function parseArgs(argv: readonly string[]): Options {
  const [scenario, ...rest] = argv;
  if (scenario === undefined || scenario === "--help" || scenario === "-h" || !(SCENARIOS as readonly string[]).includes(scenario)) {
    console.error(USAGE);
    process.exit(scenario === "--help" || scenario === "-h" ? 0 : 2);
  }
  const options: Options = {
    scenario: scenario as ScenarioName,
    payloads: 10_000,
    connections: 100,
    sequential: 1000,
    modelIterations: 500,
    phaseBudgetS: 150,
    server: {},
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const raw = inline ?? rest[++i];
    const value = Number(raw);
    if (raw === undefined || !Number.isInteger(value) || value < 0) {
      console.error(`bench: ${flag} needs a non-negative integer, got '${raw}'\n\n${USAGE}`);
      process.exit(2);
    }
    switch (flag) {
      case "--payloads": options.payloads = value; break;
      case "--connections": options.connections = Math.max(1, value); break;
      case "--sequential": options.sequential = Math.max(1, value); break;
      case "--model-iterations": options.modelIterations = Math.max(1, value); break;
      case "--phase-budget-s": options.phaseBudgetS = Math.max(1, value); break;
      case "--workers": options.server.workers = Math.max(1, value); break;
      case "--intra-op-threads": options.server.intraOpThreads = Math.max(1, value); break;
      case "--batch-window-ms": options.server.batchWindowMs = value; break;
      case "--max-batch": options.server.maxBatch = Math.max(1, value); break;
      case "--max-in-flight": options.server.maxInFlight = Math.max(1, value); break;
      default:
        console.error(`bench: unknown option '${arg}'\n\n${USAGE}`);
        process.exit(2);
    }
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Models available in this build

interface Installed {
  factories: readonly ModelFactory[];
  /** Why the registry itself could not be loaded, if it could not. */
  error?: string;
}

async function installedModels(): Promise<Installed> {
  try {
    const registry = await import("../src/models/registry.js");
    return { factories: registry.MODEL_FACTORIES };
  } catch (error) {
    return { factories: [], error: error instanceof Error ? error.message : String(error) };
  }
}

function factoryFor(installed: Installed, name: ModelName): ModelFactory | undefined {
  const factory = installed.factories.find((f) => f.name === name);
  if (factory === undefined) return undefined;
  try {
    return factory.isInstalled() ? factory : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs

const LANGUAGE_CONFIG = { granularity: "word", sentiment: {}, toxicity: {} } as const;

function textFrames(): Frame[] {
  return SENTENCES.map((text) => frame({ data: text, raw_text: true, models: { language: LANGUAGE_CONFIG } }));
}

/** Malformed or refused frames: each must get an error reply without reaching a model. */
function badFrames(): Frame[] {
  const bad = (text: string): Frame => ({ bytes: Buffer.from(text, "utf8"), expect: "error" });
  return [
    bad('{"data": "unterminated'),
    bad(JSON.stringify({ data: "hello there", raw_text: true, models: { language: {} }, bogus: 1 })),
    bad(JSON.stringify({ data: "hello there", rawText: true, models: { language: {} } })),
    bad(JSON.stringify({ data: "%%% not base64 %%%", models: { language: {} } })),
  ];
}

const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SHARED = process.env.MOODWIRE_SHARED ?? `${PACKAGE_ROOT}../shared/`;

/** A face image: the shared astronaut sample when present, else a synthetic PNG (no face in it). */
async function faceImage(): Promise<{ bytes: Buffer; source: string }> {
  const sample = `${SHARED}samples/astronaut.png`;
  if (existsSync(sample)) return { bytes: readFileSync(sample), source: "shared/samples/astronaut.png" };
  const sharp = (await import("sharp")).default;
  const width = 256;
  const raw = Buffer.alloc(width * width * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7) & 0xff;
  return { bytes: await sharp(raw, { raw: { width, height: width, channels: 3 } }).png().toBuffer(), source: "synthetic 256x256 PNG" };
}

/** A 16 kHz mono s16 WAV: the shared 4.5 s speech sample when present, else 4 s of synthetic tone. */
function speechClip(): { bytes: Buffer; source: string } {
  const sample = `${SHARED}samples/audio/speech_4s.wav`;
  if (existsSync(sample)) return { bytes: readFileSync(sample), source: "shared/samples/audio/speech_4s.wav" };
  const rate = 16_000;
  const n = rate * 4;
  const wav = Buffer.alloc(44 + 2 * n);
  wav.write("RIFF", 0, "ascii");
  wav.writeUInt32LE(36 + 2 * n, 4);
  wav.write("WAVEfmt ", 8, "ascii");
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write("data", 36, "ascii");
  wav.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const s = 0.3 * Math.sin(2 * Math.PI * (140 + 40 * Math.sin(2 * Math.PI * 3 * t)) * t) * (0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t));
    wav.writeInt16LE(Math.round(s * 32767), 44 + 2 * i);
  }
  return { bytes: wav, source: "synthetic 4 s WAV" };
}

// ---------------------------------------------------------------------------------------------
// Model-only measurements

const LANGUAGE_DIR = new URL("../src/models/language/", import.meta.url);

/** The language model's worker kernel module (its default export is a KernelFactory). */
async function languageKernel(): Promise<{ kernel: Kernel<LanguageKernelInput, unknown>; file: string }> {
  const files = readdirSync(LANGUAGE_DIR)
    .filter((f) => f.endsWith(".js") && /kernel/i.test(f) && !/types|test/i.test(f))
    .sort((a, b) => (a === "kernel.js" ? -1 : b === "kernel.js" ? 1 : a.localeCompare(b)));
  for (const file of files) {
    const module = (await import(new URL(file, LANGUAGE_DIR).href)) as { default?: unknown };
    if (typeof module.default === "function") {
      return { kernel: (module.default as KernelFactory<LanguageKernelInput, unknown>)(), file };
    }
  }
  throw new Error(`no kernel module (default export KernelFactory) among ${files.join(", ") || "no files"} in ${fileURLToPath(LANGUAGE_DIR)}`);
}

/** Something timed one call at a time: the bare model, or the model behind its worker pool. */
interface Runner {
  method: string;
  run(i: number): Promise<unknown>;
  close(): Promise<void>;
}

/** The language kernel alone, in this thread, one intra-op thread, batch of one. */
async function languageKernelRunner(sentences: readonly string[] = SENTENCES): Promise<Runner> {
  const { kernel, file } = await languageKernel();
  await kernel.load({ intraOpThreads: 1 });
  const inputs: LanguageKernelInput[] = sentences.map((text) => ({ text, granularity: "word", sentiment: true, toxicity: true }));
  return {
    method: `language kernel (${file}) run([input]) in the bench process, 1 intra-op thread, batch of 1`,
    run: (i) => kernel.run([inputs[i % inputs.length]!]),
    close: async () => {
      await (kernel as { close?: () => Promise<void> }).close?.();
    },
  };
}

/**
 * Models' predict() on media decoded beforehand (one worker, one intra-op thread, no batching
 * window; several models of one payload run concurrently, as in the server): for face and audio the
 * model-only figure, for language the cost with the worker hop and the reply objects, between the
 * bare kernel and the full server.
 */
async function predictRunner(factories: readonly ModelFactory[], frames: readonly Frame[]): Promise<Runner> {
  const { DEFAULT_LIMITS, parseRequest } = await import("../src/protocol/index.js");
  const { decodeMedia, mergeDecodeNeeds, NO_DECODE_NEEDS, readPayload } = await import("../src/media/index.js");
  const { ConnectionSession } = await import("../src/session/session.js");
  const models = factories.map((f) => f.create({ workers: 1, intraOpThreads: 1, batchWindowMs: 0, maxBatch: 1, taskTimeoutMs: 30_000, inlineWhenIdle: true }));
  const close = async () => {
    await Promise.all(models.map((m) => m.close()));
  };
  try {
    await Promise.all(models.map((m) => m.load()));
    const names = factories.map((f) => f.name);
    const prepared: { media: DecodedMedia; needs: DecodeNeeds; configs: unknown[]; windowMs: number }[] = [];
    for (const f of frames) {
      const parsed = parseRequest(f.bytes.toString("utf8"));
      if (!parsed.ok || parsed.request.data === undefined) continue;
      const request = parsed.request;
      if (!names.every((name) => request.models[name] !== undefined)) continue;
      const payload = readPayload(request.data!, request.raw_text, DEFAULT_LIMITS);
      const configs = names.map((name) => request.models[name]);
      const needs = factories.reduce<DecodeNeeds>((all, f, k) => mergeDecodeNeeds(all, f.needs(configs[k] as never)), NO_DECODE_NEEDS);
      prepared.push({ media: await decodeMedia(payload, needs, DEFAULT_LIMITS), needs, configs, windowMs: request.stream_window_ms });
    }
    if (prepared.length === 0) throw new Error(`no valid ${names.join("+")} input among the scenario's frames`);
    const session = new ConnectionSession();
    return {
      method: `${names.join("+")} predict() on pre-decoded media, 1 worker, 1 intra-op thread, no batch window (a model that runs short inputs inline when idle does so here too)`,
      run: (i) => {
        const { media, needs, configs, windowMs } = prepared[i % prepared.length]!;
        const context = session.predictContext(media, needs, windowMs);
        return Promise.all(models.map((m, k) => m.predict(media, configs[k] as never, context)));
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The transport alone (bench/echo-child.ts): one connection to a bare `ws` server that holds its thread
 * for `holdMs` and answers with `replyBytes` of text. `run` resolves with the round trip.
 */
async function echoRunner(replyBytes: number, holdMs: number, request: Buffer): Promise<Runner> {
  const settings: EchoSettings = { replyBytes, holdMs };
  const child = fork(fileURLToPath(new URL("./echo-child.js", import.meta.url)), [JSON.stringify(settings)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once("message", (message: { port: number }) => resolve(message.port));
      child.once("exit", (code) => reject(new Error(`the echo server exited with code ${code}`)));
    });
    const client = await Client.open(`ws://127.0.0.1:${port}/`);
    return {
      method: `bare ws server in a child process: holds its thread ${round(holdMs)} ms (the model-only warm-up p50), then sends ${replyBytes} bytes of text (a reply's size); round trip less the hold`,
      run: () => client.request(request, 30_000),
      close: async () => {
        await client.close();
        child.kill();
      },
    };
  } catch (error) {
    child.kill();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The server child

class ServerChild {
  private nextId = 0;
  private readonly waiters = new Map<number, (stats: ChildStats) => void>();
  private constructor(private readonly child: ChildProcess, readonly port: number, readonly models: string[]) {
    child.on("message", (message: ChildMessage) => {
      if (message.type === "stats") {
        this.waiters.get(message.id)?.(message);
        this.waiters.delete(message.id);
      }
    });
  }

  static start(settings: ChildSettings, timeoutMs = 120_000): Promise<ServerChild> {
    const script = fileURLToPath(new URL("./server-child.js", import.meta.url));
    const child = fork(script, [JSON.stringify(settings)], { execArgv: ["--expose-gc"], stdio: ["ignore", "pipe", "inherit", "ipc"] });
    child.stdout?.pipe(process.stderr);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error("the server did not become ready in time"));
      }, timeoutMs);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited with code ${code} before it was ready`));
      });
      child.on("message", (message: ChildMessage) => {
        if (message.type === "ready") {
          clearTimeout(timer);
          child.removeAllListeners("exit");
          resolve(new ServerChild(child, message.port, message.models));
        } else if (message.type === "failed") {
          clearTimeout(timer);
          reject(new Error(`the server failed to start: ${message.message}`));
        }
      });
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/v0/stream/models`;
  }

  stats(options: { loopMonitor?: "start" | "stop"; gc?: boolean } = {}): Promise<ChildStats> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiters.set(id, resolve);
      this.child.send({ cmd: "stats", id, ...options });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once("exit", () => resolve());
      this.child.send({ cmd: "shutdown" });
      setTimeout(() => {
        this.child.kill("SIGKILL");
        resolve();
      }, 15_000).unref();
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Plan {
  models: ModelName[];
  frames: Frame[];
  /** The model alone on the scenario's inputs. */
  model: () => Promise<Runner>;
  /** For language: predict() through the worker pool, to split the overhead. */
  predict?: () => Promise<Runner>;
  inputs: Record<string, string>;
}

type PlanOrSkip = Plan | { skipped: string };

async function plan(options: Options, installed: Installed): Promise<PlanOrSkip> {
  const notInstalled = (model: string) => ({ skipped: `${model} model not installed${installed.error === undefined ? "" : ` (registry failed to load: ${installed.error})`}` });
  const language = factoryFor(installed, "language");
  const face = factoryFor(installed, "face");
  const audio = (["prosody", "burst"] as const).map((name) => factoryFor(installed, name)).filter((f): f is ModelFactory => f !== undefined);
  const text = textFrames();
  const sentenceInfo = { text: `${SENTENCES.length} twenty-word English sentences, raw_text, language {granularity: word, sentiment, toxicity}` };

  switch (options.scenario) {
    case "text":
    case "language":
      if (language === undefined) return notInstalled("language");
      return { models: ["language"], frames: text, model: languageKernelRunner, predict: () => predictRunner([language], text), inputs: sentenceInfo };
    case "face": {
      if (face === undefined) return notInstalled("face");
      const image = await faceImage();
      const frames = [frame({ data: image.bytes.toString("base64"), models: { face: {} } })];
      return { models: ["face"], frames, model: () => predictRunner([face], frames), inputs: { image: image.source } };
    }
    case "audio": {
      if (audio.length === 0) return notInstalled("prosody/burst");
      const clip = speechClip();
      const frames = [frame({ data: clip.bytes.toString("base64"), models: Object.fromEntries(audio.map((f) => [f.name, {}])) })];
      return { models: audio.map((f) => f.name), frames, model: () => predictRunner(audio, frames), inputs: { audio: clip.source } };
    }
    case "mixed": {
      if (language === undefined) return notInstalled("language");
      // 16 sentences and 4 bad frames: one frame in five is refused before reaching a model.
      const frames: Frame[] = [...text.slice(0, 16), ...badFrames()];
      const models: ModelName[] = ["language"];
      const inputs: Record<string, string> = {
        text: "16 of the twenty-word English sentences, raw_text, language {granularity: word, sentiment, toxicity}",
        bad: "4 malformed or refused frames (E0100, E0101 x2, E0201)",
        model_only: "language kernel on the text frames only (bad frames reach no model)",
      };
      if (face !== undefined) {
        const image = await faceImage();
        frames.push(frame({ data: image.bytes.toString("base64"), models: { face: {} } }));
        models.push("face");
        inputs.image = image.source;
      }
      if (audio.length > 0) {
        const clip = speechClip();
        frames.push(frame({ data: clip.bytes.toString("base64"), models: Object.fromEntries(audio.map((f) => [f.name, {}])) }));
        models.push(...audio.map((f) => f.name));
        inputs.audio = clip.source;
      }
      return { models, frames, model: () => languageKernelRunner(SENTENCES.slice(0, 16)), inputs };
    }
  }
}

// ---------------------------------------------------------------------------------------------

function machine() {
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

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const scenario = options.scenario === "language" ? "text" : options.scenario;
  const host = machine();
  const installed = await installedModels();
  const planned = await plan(options, installed);
  if ("skipped" in planned) {
    console.log(JSON.stringify({ scenario: options.scenario, skipped: planned.skipped, ...host }));
    return;
  }
  const budgetMs = options.phaseBudgetS * 1000;
  const startedAt = performance.now();

  log(`starting the server (models: ${planned.models.join(", ")})`);
  const server = await ServerChild.start({ models: planned.models, ...options.server });
  const result: Record<string, unknown> = {};
  try {
    // Model-only, predict-only and e2e are interleaved in rounds so that all three see the same
    // background load (this is a shared machine); the server is idle during the model-only runs.
    log(`loading the model in the bench process`);
    const modelRunner = await planned.model();
    const predictRunnerOrNone = planned.predict === undefined ? undefined : await planned.predict();
    const single = await Client.open(server.url);
    const rounds = 10;
    const modelLatencies: number[] = [];
    const modelAfterIdleLatencies: number[] = [];
    const predictLatencies: number[] = [];
    const sequential: SequentialResult = { ok: 0, wrong: 0, latencies: [] };
    const deadline = performance.now() + budgetMs;
    const timed = async (runner: Runner, from: number, count: number, into: number[] | null, idleMs = 0) => {
      for (let i = from; i < from + count && performance.now() < deadline; i++) {
        if (idleMs > 0) await new Promise((resolve) => setTimeout(resolve, idleMs));
        const started = performance.now();
        await runner.run(i);
        into?.push(performance.now() - started);
      }
    };
    log(`warm-up, then ${rounds} rounds of model-only / model after idle / predict-only / e2e / bare transport (${options.modelIterations} / ${options.modelIterations} / ${options.modelIterations} / ${options.sequential} / ${options.sequential})`);
    const warmModel: number[] = [];
    await timed(modelRunner, 0, 30, warmModel);
    if (predictRunnerOrNone !== undefined) await timed(predictRunnerOrNone, 0, 30, null);
    await runSequential(single, planned.frames, Math.min(100, options.sequential), 0, budgetMs);
    const sampleReply = await single.request(planned.frames[0]!.bytes, 30_000);
    const holdMs = summarize(warmModel).p50;
    const transport = await echoRunner(sampleReply.length, holdMs, planned.frames[0]!.bytes);
    await timed(transport, 0, 30, null);
    const transportLatencies: number[] = [];
    const perModel = Math.ceil(options.modelIterations / rounds);
    const perSequential = Math.ceil(options.sequential / rounds);
    for (let r = 0; r < rounds && performance.now() < deadline; r++) {
      await timed(modelRunner, r * perModel, perModel, modelLatencies);
      // The same runs, each after the thread sleeps 1 ms, as the server's does between one connection's requests.
      await timed(modelRunner, r * perModel, perModel, modelAfterIdleLatencies, 1);
      if (predictRunnerOrNone !== undefined) await timed(predictRunnerOrNone, r * perModel, perModel, predictLatencies);
      const part = await runSequential(single, planned.frames, perSequential, 0, Math.max(1, deadline - performance.now()), r * perSequential);
      sequential.ok += part.ok;
      sequential.wrong += part.wrong;
      sequential.firstWrong ??= part.firstWrong;
      sequential.latencies.push(...part.latencies);
      await timed(transport, r * perSequential, perSequential, transportLatencies);
    }
    await single.close();
    await modelRunner.close();
    await predictRunnerOrNone?.close();
    await transport.close();
    const transportFloor = summarize(transportLatencies.map((ms) => ms - holdMs));
    const model = summarize(modelLatencies);
    const modelAfterIdle = summarize(modelAfterIdleLatencies);
    const predict = predictRunnerOrNone === undefined ? undefined : summarize(predictLatencies);
    const modelOnly = { method: modelRunner.method };
    const e2e = summarize(sequential.latencies);

    log(`throughput: ${options.payloads} payloads over ${options.connections} connections`);
    const clients = await openClients(server.url, options.connections);
    // Warm every connection, and let the model's workers meet full-size batches (ONNX Runtime's arena
    // and the worker heaps grow to their working size), before RSS is taken.
    const warmup = Math.min(options.payloads, Math.max(2 * options.connections, 1000));
    await runClosedLoop(clients, planned.frames, warmup, budgetMs);
    const before = await server.stats({ gc: true, loopMonitor: "start" });
    // RSS every second during the run (no forced GC), to tell a plateau from a leak.
    const rssTrace: number[] = [];
    const rssAt: number[] = [];
    let answeredSoFar = () => 0;
    const sampler = setInterval(() => {
      const at = answeredSoFar();
      void server.stats().then((s) => {
        rssTrace.push(s.rssMb);
        rssAt.push(at);
      });
    }, 1000);
    const benchCpuBefore = process.cpuUsage();
    const running = runClosedLoop(clients, planned.frames, options.payloads, budgetMs);
    answeredSoFar = () => running.progress.answered;
    const loop = await running;
    const benchCpu = process.cpuUsage(benchCpuBefore);
    clearInterval(sampler);
    const during = await server.stats({ loopMonitor: "stop" });
    await Promise.all(clients.map((c) => c.close()));
    const after = await server.stats({ gc: true });
    const underLoad = summarize(loop.latencies);

    const throughput = loop.answered / (loop.elapsedMs / 1000);
    const overhead = e2e.p50 / model.p50;
    Object.assign(result, {
      scenario: options.scenario,
      model_p50_ms: round(model.p50),
      e2e_p50_ms: round(e2e.p50),
      e2e_p95_ms: round(e2e.p95),
      e2e_p99_ms: round(e2e.p99),
      overhead_ratio: round(overhead),
      throughput_per_s: round(throughput, 1),
      event_loop_p99_ms: round(during.eventLoop.p99Ms),
      rss_mb_before: round(before.rssMb, 1),
      rss_mb_after: round(after.rssMb, 1),
      rss_growth_mb: round(after.rssMb - before.rssMb, 1),
      ...host,
      detail: {
        models: planned.models,
        inputs: planned.inputs,
        model_only: { method: modelOnly.method, runs: model.count, p50_ms: round(model.p50), p95_ms: round(model.p95), p99_ms: round(model.p99), mean_ms: round(model.mean) },
        ...(predict === undefined ? {} : { predict_only: { method: predictRunnerOrNone?.method, runs: predict.count, p50_ms: round(predict.p50), p95_ms: round(predict.p95) } }),
        e2e: { requests: e2e.count, ok: sequential.ok, wrong: sequential.wrong, ...(sequential.firstWrong === undefined ? {} : { first_wrong: sequential.firstWrong }), mean_ms: round(e2e.mean), max_ms: round(e2e.max) },
        transport_floor: { method: transport.method, runs: transportFloor.count, p50_ms: round(transportFloor.p50), p95_ms: round(transportFloor.p95) },
        model_after_idle: { method: "the model-only runs, each after a 1 ms sleep (caches and core cool down as between requests)", runs: modelAfterIdle.count, p50_ms: round(modelAfterIdle.p50) },
        // What the end-to-end p50 adds to the model's: the bare transport above, the model's own slowdown
        // after an idle gap, and the rest (the server's work: parsing, dispatch, reply writing).
        overhead_split: {
          overhead_p50_ms: round(e2e.p50 - model.p50),
          transport_floor_p50_ms: round(transportFloor.p50),
          model_after_idle_p50_ms: round(modelAfterIdle.p50 - model.p50),
          rest_p50_ms: round(e2e.p50 - modelAfterIdle.p50 - transportFloor.p50),
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
          event_loop: { resolution_ms: 1, p50_ms: round(during.eventLoop.p50Ms), p99_ms: round(during.eventLoop.p99Ms), max_ms: round(during.eventLoop.maxMs), note: "server process, perf_hooks.monitorEventLoopDelay, raw timer delay incl. the 1 ms interval" },
          warmup_payloads: warmup,
          // Cores' worth of CPU used during the run: the server (event loop + workers) and this load generator.
          server_cpu_cores: round((during.cpuMs - before.cpuMs) / loop.elapsedMs, 2),
          loadgen_cpu_cores: round((benchCpu.user + benchCpu.system) / 1000 / loop.elapsedMs, 2),
          rss_trace_mb: rssTrace.map((v) => round(v, 1)),
          // Least-squares slope of RSS over payloads answered, past the first quarter of the run: a
          // plateau gives ~0, a leak a steady positive slope.
          rss_slope_mb_per_1k_payloads: round(1000 * slope(rssAt.slice(rssAt.length >> 2), rssTrace.slice(rssTrace.length >> 2)), 2),
          heap_used_mb_before: round(before.heapUsedMb, 1),
          heap_used_mb_after: round(after.heapUsedMb, 1),
        },
        server_settings: { defaults: "src/server/config.ts defaultConfig()", ...options.server },
        wall_s: round((performance.now() - startedAt) / 1000, 1),
      },
    });
    if (scenario === "text") {
      result.bars = {
        "issue3_model_p50_le_3ms": model.p50 <= 3,
        "issue3_e2e_p50_le_10ms": e2e.p50 <= 10,
        "issue4_overhead_ratio_le_1.3": overhead <= 1.3,
        "issue4_throughput_ge_500_per_s": throughput >= 500,
        "issue4_event_loop_p99_le_50ms": during.eventLoop.p99Ms <= 50,
        "issue4_rss_growth_lt_50mb": after.rssMb - before.rssMb < 50,
        all_replies_ok: sequential.wrong === 0 && loop.wrong === 0 && !loop.timedOut,
      };
    }
  } finally {
    await server.stop();
  }
  console.log(JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
