// Conformance-test helpers: an in-process server (test doubles: ../support/fake-models.ts), a small
// promise-based WebSocket client and ffmpeg/facemesh payloads (media built in code: ../support/media.ts).
// Test-only: nothing here is shipped.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { type Limits } from "../../src/protocol/index.js";
import { messageText } from "../../src/protocol/node/index.js";
import type { ModelFactory } from "../../src/models/types.js";
import { sharedDirectory } from "../../src/runtime/paths.js";
import { defaultConfig, type ServerConfig } from "../../src/server/config.js";
import { startServer, type RunningServer } from "../../src/server/server.js";
import { fakeLanguage } from "../support/fake-models.js";

// --- Server ---------------------------------------------------------------------------------------

export interface TestServerOptions extends Partial<Omit<ServerConfig, "limits">> {
  limits?: Partial<Limits>;
  factories?: readonly ModelFactory[];
}

/** Starts a server on 127.0.0.1 and a free port. Models default to every factory given. */
export async function startTestServer(options: TestServerOptions = {}): Promise<RunningServer> {
  const { limits, factories = [fakeLanguage], ...overrides } = options;
  const base = defaultConfig();
  const config: ServerConfig = {
    ...base,
    port: 0,
    workers: 1,
    // Tests open many connections from one address; only the rate-limit test lowers this.
    handshakesPerSecond: 100_000,
    shutdownGraceMs: 5000,
    models: factories.map((f) => f.name),
    ...overrides,
    limits: { ...base.limits, ...limits },
  };
  return startServer(config, { factories, log: () => {} });
}

// --- WebSocket client -----------------------------------------------------------------------------

export type Reply = Record<string, unknown>;

export interface Received {
  reply: Reply;
  isBinary: boolean;
}

const openSockets = new Set<TestSocket>();

/** A `ws` client that queues incoming messages so tests can `await next()`. */
export class TestSocket {
  private readonly inbox: Received[] = [];
  private readonly waiters: { resolve: (r: Received) => void; reject: (e: Error) => void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private closeInfo: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    openSockets.add(this);
    ws.on("message", (data, isBinary) => {
      const text = messageText(data);
      const received: Received = { reply: JSON.parse(text) as Reply, isBinary };
      const waiter = this.waiters.shift();
      if (waiter === undefined) this.inbox.push(received);
      else waiter.resolve(received);
    });
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        openSockets.delete(this);
        this.closeInfo = { code, reason: reason.toString("utf8") };
        for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`socket closed (${code}) before a reply arrived`));
        resolve(this.closeInfo);
      });
    });
    ws.on("error", () => {});
  }

  /** Opens a connection; rejects with the HTTP status when the handshake is refused. */
  static open(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once("open", () => resolve(new TestSocket(ws)));
      ws.once("unexpected-response", (_request, response) => {
        response.resume();
        reject(new HandshakeRefused(response.statusCode ?? 0));
        ws.terminate();
      });
      ws.once("error", (error) => reject(error));
    });
  }

  /** The next message with its frame type. */
  nextFrame(): Promise<Received> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closeInfo !== undefined) return Promise.reject(new Error(`socket closed (${this.closeInfo.code})`));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async next(): Promise<Reply> {
    return (await this.nextFrame()).reply;
  }

  send(message: unknown): void {
    if (typeof message === "string" || Buffer.isBuffer(message)) this.ws.send(message, { binary: Buffer.isBuffer(message) });
    else this.ws.send(JSON.stringify(message));
  }

  /** Sends one message and waits for the next reply. */
  async request(message: unknown): Promise<Reply> {
    this.send(message);
    return this.next();
  }

  /** Messages received but not yet read. */
  get pending(): number {
    return this.inbox.length;
  }

  async close(): Promise<void> {
    if (this.closeInfo !== undefined) return;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    await this.closed;
  }
}

export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`handshake refused with HTTP ${status}`);
  }
}

/** The HTTP status of a handshake attempt: 101 when it opened (the socket is closed again at once). */
export async function handshakeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const socket = await TestSocket.open(url, headers);
    await socket.close();
    return 101;
  } catch (error) {
    if (error instanceof HandshakeRefused) return error.status;
    throw error;
  }
}

/** Closes every TestSocket still open (call from `after` hooks). */
export async function closeAllSockets(): Promise<void> {
  await Promise.all([...openSockets].map((s) => s.close()));
}

/** The value of one Prometheus series (name and labels exactly as rendered) in a /metrics body; 0 when absent. */
export function metricSample(body: string, series: string): number {
  const line = body.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** A plain HTTP GET without keep-alive, so no socket outlives the test. */
export function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method: "GET", agent: false, headers: { Connection: "close" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

// --- Media builders -------------------------------------------------------------------------------

export function b64(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString("base64");
}

/** The shared sample image, when the shared folder is present. */
export function samplePng(): Buffer | undefined {
  return sharedSample("astronaut.png");
}

/** A file of the shared samples (e.g. "audio/speech_4s.wav"), or undefined when they are absent. */
export function sharedSample(name: string): Buffer | undefined {
  const path = `${sharedDirectory()}samples/${name}`;
  return existsSync(path) ? readFileSync(path) : undefined;
}

/** Whether an `ffmpeg` binary is on PATH (used to build video fixtures). */
export function hasFfmpeg(): boolean {
  return spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
}

/**
 * An MP4 test pattern of `seconds` (64x64, 5 fps, MPEG-4 Part 2), with a 440 Hz AAC track when `withAudio`,
 * made with ffmpeg; undefined when ffmpeg is missing or fails.
 */
export function videoBytes(seconds: number, withAudio = false): Buffer | undefined {
  const dir = mkdtempSync(join(tmpdir(), "moodwire-conformance-"));
  const path = join(dir, "video.mp4");
  const args = ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", `testsrc=size=64x64:rate=5:duration=${seconds}`];
  if (withAudio) args.push("-f", "lavfi", "-i", `sine=frequency=440:sample_rate=16000:duration=${seconds}`, "-c:a", "aac", "-shortest");
  else args.push("-an");
  args.push("-c:v", "mpeg4", "-movflags", "+faststart", path);
  try {
    const result = spawnSync("ffmpeg", args, { stdio: "ignore" });
    return result.status === 0 && existsSync(path) ? readFileSync(path) : undefined;
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A facemesh payload of `faces` faces × `landmarks` × `coords`. */
export function facemesh(faces: number, landmarks = 478, coords = 3): number[][][] {
  return Array.from({ length: faces }, () => Array.from({ length: landmarks }, (_, i) => Array.from({ length: coords }, (_, c) => (i + c) / 1000)));
}

export const HEX32 = /^[0-9a-f]{32}$/;
