// Load generation over real WebSockets on loopback: connections are opened once and reused, frames
// are serialised once up front, and every phase is bounded in count and in time.

import { performance } from "node:perf_hooks";
import { WebSocket } from "ws";

/** A pre-serialised client frame and a check for its reply. */
export interface Frame {
  bytes: Buffer;
  /** What a correct reply looks like; "error" frames expect an error reply. */
  expect: "predictions" | "error";
}

export type ReplyClass = "predictions" | "warning" | "error" | "other";

/**
 * Classifies a reply from its first bytes, without parsing it (replies can be tens of kilobytes of
 * JSON; parsing each would make the load generator the bottleneck). The server writes the echoes
 * first, then model keys; an error reply starts with "error".
 */
export function classifyReply(reply: Buffer): ReplyClass {
  const head = reply.subarray(0, 512).toString("latin1");
  if (head.startsWith('{"error"')) return "error";
  if (head.includes('"predictions"')) return "predictions";
  if (head.includes('"warning"')) return "warning";
  return "other";
}

export function frame(request: object, expect: Frame["expect"] = "predictions"): Frame {
  return { bytes: Buffer.from(JSON.stringify(request), "utf8"), expect };
}

export class Client {
  private waiting: ((reply: Buffer) => void) | null = null;
  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      const resolve = this.waiting;
      this.waiting = null;
      resolve?.(data);
    });
  }

  static open(url: string, timeoutMs = 10_000): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`connecting to ${url} timed out`));
      }, timeoutMs);
      ws.once("open", () => {
        clearTimeout(timer);
        ws.on("error", () => undefined);
        resolve(new Client(ws));
      });
      ws.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      ws.once("unexpected-response", (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`handshake refused with HTTP ${res.statusCode}`));
      });
    });
  }

  /** Sends one frame and resolves with its reply (one request in flight per client). */
  request(bytes: Buffer, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) return reject(new Error("connection closed"));
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
      this.ws.send(bytes, { binary: false });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once("close", () => resolve());
      this.ws.close(1000);
      setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 2000).unref();
    });
  }
}

export interface Outcome {
  /** Replies of the expected class. */
  ok: number;
  /** Replies of another class, and requests that failed (timeouts, closed sockets). */
  wrong: number;
  /** First unexpected reply, truncated, for diagnosis. */
  firstWrong?: string;
}

function tally(outcome: Outcome, reply: Buffer, expected: Frame["expect"]): void {
  const cls = classifyReply(reply);
  const good = expected === "error" ? cls === "error" : cls === "predictions" || cls === "warning";
  if (good) outcome.ok++;
  else {
    outcome.wrong++;
    outcome.firstWrong ??= reply.subarray(0, 300).toString("utf8");
  }
}

export interface SequentialResult extends Outcome {
  /** Milliseconds from send to reply, one per measured request. */
  latencies: number[];
}

/** One connection, one request at a time: `warmup` unmeasured requests, then `count` measured ones. */
export async function runSequential(client: Client, frames: readonly Frame[], count: number, warmup: number, timeBudgetMs: number, offset = 0): Promise<SequentialResult> {
  const result: SequentialResult = { ok: 0, wrong: 0, latencies: [] };
  const deadline = performance.now() + timeBudgetMs;
  for (let i = 0; i < warmup + count && performance.now() < deadline; i++) {
    const f = frames[(offset + i) % frames.length]!;
    const started = performance.now();
    const reply = await client.request(f.bytes, 30_000);
    const elapsed = performance.now() - started;
    if (i >= warmup) {
      result.latencies.push(elapsed);
      tally(result, reply, f.expect);
    }
  }
  return result;
}

export interface ClosedLoopResult extends Outcome {
  answered: number;
  elapsedMs: number;
  latencies: number[];
  timedOut: boolean;
}

/**
 * Every client sends a frame, waits for its reply, sends the next, until `total` frames have been
 * sent or the time budget runs out. Throughput = answered / elapsed.
 */
export function runClosedLoop(clients: readonly Client[], frames: readonly Frame[], total: number, timeBudgetMs: number): Promise<ClosedLoopResult> & { progress: ClosedLoopResult } {
  const result: ClosedLoopResult = { ok: 0, wrong: 0, answered: 0, elapsedMs: 0, latencies: [], timedOut: false };
  return Object.assign(closedLoop(result, clients, frames, total, timeBudgetMs), { progress: result });
}

/** Sends one frame and records its reply; false when the request failed (the connection is done). */
async function sendTimed(client: Client, f: Frame, result: ClosedLoopResult): Promise<boolean> {
  const sent = performance.now();
  try {
    const reply = await client.request(f.bytes, 30_000);
    result.latencies.push(performance.now() - sent);
    result.answered++;
    tally(result, reply, f.expect);
    return true;
  } catch (error) {
    result.wrong++;
    result.firstWrong ??= error instanceof Error ? error.message : String(error);
    return false;
  }
}

async function closedLoop(result: ClosedLoopResult, clients: readonly Client[], frames: readonly Frame[], total: number, timeBudgetMs: number): Promise<ClosedLoopResult> {
  let next = 0;
  const started = performance.now();
  const deadline = started + timeBudgetMs;
  await Promise.all(
    clients.map(async (client, c) => {
      while (next < total) {
        if (performance.now() > deadline) {
          result.timedOut = true;
          return;
        }
        const i = next++;
        const f = frames[(i + c) % frames.length]!;
        if (!(await sendTimed(client, f, result))) return;
      }
    }),
  );
  result.elapsedMs = performance.now() - started;
  return result;
}

export interface PacedResult extends ClosedLoopResult {
  paceMs: number;
  /** Sends later than their schedule by more than a tenth of the pace (the previous reply was late). */
  lateSends: number;
  /** Most a send fell behind its schedule, milliseconds. */
  maxLagMs: number;
}

/**
 * Real-time streaming: client c sends its k-th frame (frames[(k + c) % n]) at start + offset_c + k·pace,
 * or as soon as its previous reply arrives if that is later; starts are spread over one pace. Runs
 * until `total` frames are sent or the time budget runs out.
 */
export function runPaced(clients: readonly Client[], frames: readonly Frame[], total: number, paceMs: number, timeBudgetMs: number): Promise<PacedResult> & { progress: PacedResult } {
  const result: PacedResult = { ok: 0, wrong: 0, answered: 0, elapsedMs: 0, latencies: [], timedOut: false, paceMs, lateSends: 0, maxLagMs: 0 };
  return Object.assign(paced(result, clients, frames, total, timeBudgetMs), { progress: result });
}

async function paced(result: PacedResult, clients: readonly Client[], frames: readonly Frame[], total: number, timeBudgetMs: number): Promise<PacedResult> {
  const { paceMs } = result;
  const perClient = Math.ceil(total / clients.length);
  const started = performance.now();
  const deadline = started + timeBudgetMs;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await Promise.all(
    clients.map(async (client, c) => {
      const offset = (c * paceMs) / clients.length;
      for (let k = 0; k < perClient; k++) {
        const due = started + offset + k * paceMs;
        const now = performance.now();
        if (now > deadline) {
          result.timedOut = true;
          return;
        }
        if (now < due) await sleep(due - now);
        const lag = Math.max(0, performance.now() - due);
        result.maxLagMs = Math.max(result.maxLagMs, lag);
        if (lag > paceMs / 10) result.lateSends++;
        const f = frames[(k + c) % frames.length]!;
        if (!(await sendTimed(client, f, result))) return;
      }
    }),
  );
  result.elapsedMs = performance.now() - started;
  return result;
}

export async function openClients(url: string, count: number): Promise<Client[]> {
  const clients: Client[] = [];
  // A few at a time: 100 handshakes at once are realistic, but there is no need to race them.
  for (let i = 0; i < count; i += 20) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(20, count - i) }, () => Client.open(url)))));
  }
  return clients;
}
