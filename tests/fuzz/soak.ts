// `npm run test:soak` (not in CI): many concurrent connections for a while, sending mixed payloads
// (text for the language model, images, WAV and compressed audio, a little video, and hostile frames from
// the fuzz generator) to an in-process server on 127.0.0.1. Stops by itself; prints one JSON line.
//
//   node dist/src/fuzz/soak.js [--connections 200] [--seconds 60] [--in-flight 2]
//                              [--max-rss-growth-mb 150] [--seed 1] [--no-stubs]
//
// Unexpected: any I0xxx, E0300, a missing, extra or out-of-order reply, a malformed reply, or an error
// reply to a payload that should succeed. E0301 (decoders busy, retry later) is load shedding, counted in
// `codes` and not unexpected. Exit 1 if unexpected > 0 or RSS grew more than the bound.

import { monitorEventLoopDelay } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { WebSocket } from "ws";
import { defaultConfig } from "../../src/server/config.js";
import { startServer } from "../../src/server/server.js";
import { frameGenerator } from "./frames.js";
import { checkReply, expectedPayloadId, fuzzFactories, fuzzServerConfig, oneShot, RssSampler } from "./run.js";
import { mediaSeeds, type MediaSeeds } from "./seeds.js";
import { mulberry32, type Rng } from "../support/rng.js";
import { percentileSorted } from "../../bench/stats.js";

interface Args {
  connections: number;
  seconds: number;
  inFlight: number;
  maxRssGrowthMb: number;
  seed: number;
  stubs: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { connections: 200, seconds: 60, inFlight: 2, maxRssGrowthMb: 150, seed: 1, stubs: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
      return n;
    };
    if (flag === "--connections") args.connections = Math.max(1, Math.floor(value()));
    else if (flag === "--seconds") args.seconds = value();
    else if (flag === "--in-flight") args.inFlight = Math.max(1, Math.floor(value()));
    else if (flag === "--max-rss-growth-mb") args.maxRssGrowthMb = value();
    else if (flag === "--seed") args.seed = Math.floor(value());
    else if (flag === "--no-stubs") args.stubs = false;
    else throw new Error(`unknown option '${flag}'`);
  }
  return args;
}

function memoryBreakdown(): Record<string, number> {
  const m = process.memoryUsage();
  const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  return { rss: mb(m.rss), heap_used: mb(m.heapUsed), heap_total: mb(m.heapTotal), external: mb(m.external), array_buffers: mb(m.arrayBuffers), native_rest: mb(m.rss - m.heapTotal - m.external) };
}

/** A full GC when possible (so "end" RSS is not just garbage not yet collected). */
function collectGarbage(): void {
  try {
    setFlagsFromString("--expose-gc");
    (runInNewContext("gc") as () => void)();
  } catch {
    // Not available: the end figure then includes uncollected garbage.
  }
}

const SENTENCES = [
  "What a lovely day, I am so happy to see you.",
  "This is the worst service I have ever had.",
  "I'm not sure how I feel about this, honestly.",
  "Thank you so much for your help yesterday!",
  "Why would anyone do that? It makes no sense.",
  "We won the game and everyone was cheering.",
  "I miss the old days when things were simpler.",
  "Ugh, stuck in traffic again.",
];

type Planned = { frame: string | Buffer; kind: string; mustSucceed: boolean };

function planner(seeds: MediaSeeds, badFrames: (index: number) => { kind: string; data: string | Buffer }) {
  const b64 = (name: string) => seeds.media.get(name)?.toString("base64");
  return (rng: Rng, id: string): Planned => {
    const r = rng();
    const req = (kind: string, fields: Record<string, unknown>): Planned => ({ frame: JSON.stringify({ payload_id: id, ...fields }), kind, mustSucceed: true });
    if (r < 0.55) {
      const text = SENTENCES[Math.floor(rng() * SENTENCES.length)]!;
      return req("text", { data: text, raw_text: true, models: { language: rng() < 0.5 ? {} : { granularity: "sentence", sentiment: {}, toxicity: {} } } });
    }
    if (r < 0.65) return req("image", { data: b64(rng() < 0.5 ? "png" : "jpeg"), models: { face: {} } });
    if (r < 0.75) return req("audio.wav", { data: b64("wav"), models: rng() < 0.5 ? { prosody: {} } : { prosody: {}, burst: {} } });
    if (r < 0.78 && seeds.media.has("mp3")) return req("audio.mp3", { data: b64("mp3"), models: { prosody: {} } });
    if (r < 0.79 && seeds.media.has("mp4")) return req("video.mp4", { data: b64("mp4"), models: { face: {}, prosody: {} } });
    if (r < 0.8) return req("control", { job_details: true, reset_stream: true });
    const bad = badFrames(Math.floor(rng() * 1_000_000));
    // Give hostile JSON objects a unique payload_id when they have a readable one, so order is checked.
    return { frame: bad.data, kind: `bad.${bad.kind.split(".")[0]}`, mustSucceed: false };
  };
}

interface Counters {
  sent: number;
  replies: number;
  unexpected: number;
  codes: Record<string, number>;
  examples: string[];
  latencies: number[];
  /** The slowest replies, by frame kind. */
  slowest: { kind: string; ms: number }[];
  refusedHandshakes: number;
  closedEarly: number;
}

function note(c: Counters, problem: string): void {
  c.unexpected++;
  if (c.examples.length < 20) c.examples.push(problem);
}

function connectOnce(url: string): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once("error", () => resolve(0));
  });
}

async function runConnection(url: string, c: Counters, plan: ReturnType<typeof planner>, rng: Rng, deadline: number, inFlight: number, connId: number, maxFrameBytes: number): Promise<void> {
  let ws: WebSocket | number = 0;
  for (let attempt = 0; attempt < 50; attempt++) {
    ws = await connectOnce(url);
    if (typeof ws !== "number") break;
    if (ws === 429) c.refusedHandshakes++;
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(rng() * 200)));
  }
  if (typeof ws === "number") {
    note(c, `connection ${connId} could not open (last status ${ws})`);
    return;
  }
  const socket = ws;
  const pending: { expectedId: string | undefined; mustSucceed: boolean; kind: string; sentAt: number }[] = [];
  let n = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (pending.length < inFlight && Date.now() < deadline && socket.readyState === socket.OPEN) {
        const id = `s${connId}-${n++}`;
        const planned = plan(rng, id);
        pending.push({ expectedId: expectedPayloadId(planned.frame, maxFrameBytes), mustSucceed: planned.mustSucceed, kind: planned.kind, sentAt: Date.now() });
        c.sent++;
        socket.send(planned.frame, { binary: Buffer.isBuffer(planned.frame) });
      }
      if (pending.length === 0 && socket.readyState === socket.OPEN) socket.close(1000);
    };
    socket.on("message", (data, isBinary) => {
      const p = pending.shift();
      c.replies++;
      const checked = checkReply(data, isBinary);
      c.codes[checked.code] = (c.codes[checked.code] ?? 0) + 1;
      if (p === undefined) {
        note(c, `connection ${connId}: a reply with no frame outstanding`);
        return;
      }
      const ms = Date.now() - p.sentAt;
      c.latencies.push(ms);
      if (c.slowest.length < 8 || ms > c.slowest.at(-1)!.ms) {
        c.slowest.push({ kind: p.kind, ms });
        c.slowest.sort((a, b) => b.ms - a.ms);
        c.slowest.length = Math.min(c.slowest.length, 8);
      }
      if (checked.payloadId !== p.expectedId) note(c, `connection ${connId}: payload_id ${checked.payloadId} where ${p.expectedId} was expected (${p.kind})`);
      for (const problem of checked.problems) note(c, `connection ${connId} ${p.kind}: ${problem}`);
      if (checked.code.startsWith("I") || checked.code === "E0300") note(c, `connection ${connId} ${p.kind}: ${checked.code} ${checked.message}`);
      else if (p.mustSucceed && checked.code !== "ok" && checked.code !== "E0301") note(c, `connection ${connId} ${p.kind}: expected success, got ${checked.code} ${checked.message}`);
      pump();
    });
    socket.on("close", () => {
      if (pending.length > 0) {
        c.closedEarly++;
        note(c, `connection ${connId} closed with ${pending.length} replies missing`);
      }
      resolve();
    });
    socket.on("error", () => {});
    pump();
  });
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`soak: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  const seeds = await mediaSeeds();
  const config = fuzzServerConfig({
    // Loopback only; model workers as deployed (CPU count), not the fuzz run's single worker.
    server: { host: "127.0.0.1", workers: defaultConfig().workers, maxConnections: Math.max(1000, args.connections + 10), maxConnectionsPerClient: Math.max(200, args.connections + 10) },
  });
  const { factories, real, stubbed } = fuzzFactories({ stubModels: args.stubs });
  const server = await startServer(config, { factories, log: () => {} });
  const bad = frameGenerator({ seed: args.seed, seeds, maxFrameBytes: config.limits.maxFrameBytes, maxTextChars: config.limits.maxTextChars, maxFacemeshFaces: config.limits.maxFacemeshFaces });
  const plan = planner(seeds, bad);
  collectGarbage();
  const loadedMb = Math.round((process.memoryUsage.rss() / 1024 / 1024) * 10) / 10;
  const rss = new RssSampler(250);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const counters: Counters = { sent: 0, replies: 0, unexpected: 0, codes: {}, examples: [], latencies: [], slowest: [], refusedHandshakes: 0, closedEarly: 0 };
  const started = Date.now();
  const deadline = started + args.seconds * 1000;
  // A hard stop: the soak ends by itself even if the server stalls.
  const hardStop = setTimeout(() => {
    console.log(JSON.stringify({ ok: false, error: "the soak did not finish within its deadline plus 120 s", ...counters, latencies: undefined }));
    process.exit(1);
  }, args.seconds * 1000 + 120_000);
  hardStop.unref();

  // The baseline ("start") is taken after a warm-up under load, so one-off growth (ONNX Runtime arenas
  // sized by the first large batches, JIT, buffer pools) is not counted as growth.
  const warmupMs = Math.min(15_000, args.seconds * 500);
  // RSS every 5 s, to tell a plateau (high-water marks) from steady growth (a leak).
  const timeline: number[] = [];
  const timelineTimer = setInterval(() => timeline.push(Math.round(process.memoryUsage.rss() / 1024 / 1024)), 5000);
  timelineTimer.unref();
  let baseline: number | undefined;
  let memoryAtStart: Record<string, number> | undefined;
  const warmup = setTimeout(() => {
    collectGarbage();
    baseline = process.memoryUsage.rss();
    memoryAtStart = memoryBreakdown();
  }, warmupMs);

  // Ramp connections up at 40 per second, under the default 50 handshakes/s per client.
  const runs: Promise<void>[] = [];
  for (let i = 0; i < args.connections; i++) {
    runs.push(runConnection(server.url, counters, plan, mulberry32(args.seed * 100_003 + i), deadline, args.inFlight, i, config.limits.maxFrameBytes));
    if (i % 40 === 39) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  console.error(`soak: ${args.connections} connections started`);
  await Promise.all(runs);
  console.error(`soak: all connections done after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const elapsed = (Date.now() - started) / 1000;
  loopDelay.disable();

  const final = await oneShot(server.url, JSON.stringify({ payload_id: "final", job_details: true }));
  if (final === undefined || "error" in final) note(counters, "a good frame after the soak did not get a good reply");
  // "end" is measured with the server still up (every client gone, after GC), so retained state counts.
  clearTimeout(warmup);
  clearInterval(timelineTimer);
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  collectGarbage();
  const measured = rss.stop();
  const memoryAtEnd = memoryBreakdown();
  const startMb = baseline === undefined ? measured.start : Math.round((baseline / 1024 / 1024) * 10) / 10;
  const rssMb = { loaded: loadedMb, start: startMb, peak: measured.peak, end: measured.end };
  await server.shutdown();
  clearTimeout(hardStop);
  const growth = Math.round((rssMb.end - rssMb.start) * 10) / 10;
  const missing = counters.sent - counters.replies;
  const sorted = counters.latencies.sort((a, b) => a - b);
  const ok = counters.unexpected === 0 && missing === 0 && growth <= args.maxRssGrowthMb;
  const summary = {
    ok,
    connections: args.connections,
    seconds: args.seconds,
    elapsed_s: Math.round(elapsed * 10) / 10,
    payloads_sent: counters.sent,
    replies: counters.replies,
    missing_replies: missing,
    unexpected_errors: counters.unexpected,
    codes: Object.fromEntries(Object.entries(counters.codes).sort(([a], [b]) => a.localeCompare(b))),
    refused_handshakes_429: counters.refusedHandshakes,
    replies_per_s: Math.round(counters.replies / elapsed),
    latency_ms: { p50: sorted.length > 0 ? percentileSorted(sorted, 50) : 0, p99: sorted.length > 0 ? percentileSorted(sorted, 99) : 0, max: sorted.at(-1) ?? 0 },
    slowest: counters.slowest,
    event_loop_delay_ms: { p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) },
    rss_mb: { ...rssMb, growth },
    rss_mb_every_5s: timeline,
    // Where RSS sits: JS heap, memory of Buffers and other objects outside it, and the rest (native
    // allocations: onnxruntime, libvips, malloc arenas), at the start baseline and at the end.
    memory_mb: { start: memoryAtStart, end: memoryAtEnd },
    rss_note: "loaded: after model load; start: after the warm-up under load; end: after all clients left, server still up, after GC",
    rss_growth_bound_mb: args.maxRssGrowthMb,
    models: { real, stubbed },
    examples: counters.examples,
  };
  console.log(JSON.stringify(summary));
  process.exit(ok ? 0 : 1);
}

await main();
