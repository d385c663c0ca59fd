// A tiny in-process test double speaking the v0 wire protocol, for the client and CLI tests only.
// It answers strictly in order, echoes payload_id and returns deterministic fake predictions.

import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

export interface FakeServerOptions {
  /** When set, handshakes without this X-Hume-Api-Key are refused with HTTP 401. */
  apiKey?: string;
  /** When true, frames are recorded but never answered. */
  silent?: boolean;
  /** Reply delay for the n-th frame (0-based) of a connection, to shuffle completion times; replies stay in order. */
  delayMs?: (index: number) => number;
}

export interface FakeServer {
  url: string;
  /** Every frame received, parsed, across connections. */
  frames: Array<Record<string, unknown>>;
  connections: number;
  /** Closes every open connection with the given code. */
  dropAll(code?: number): void;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function wavDurationSeconds(bytes: Buffer): number | undefined {
  if (bytes.length < 44 || bytes.toString("ascii", 0, 4) !== "RIFF" || bytes.toString("ascii", 8, 12) !== "WAVE") return undefined;
  const byteRate = bytes.readUInt32LE(28);
  const dataBytes = bytes.readUInt32LE(40);
  return byteRate > 0 ? dataBytes / byteRate : undefined;
}

function languagePredictions(text: string): unknown[] {
  const cps = [...text];
  const out: unknown[] = [];
  let i = 0;
  while (i < cps.length) {
    if (/\s/u.test(cps[i] ?? "")) {
      i++;
      continue;
    }
    const begin = i;
    while (i < cps.length && !/\s/u.test(cps[i] ?? "")) i++;
    out.push({ text: cps.slice(begin, i).join(""), position: { begin, end: i }, emotions: [{ name: "Joy", score: 0.5 }] });
  }
  return out;
}

function answer(frame: Record<string, unknown>, state: { timeline: number; jobId: string }): Record<string, unknown> {
  const reply: Record<string, unknown> = {};
  if (typeof frame.payload_id === "string") reply.payload_id = frame.payload_id;
  if (frame.job_details === true) reply.job_details = { job_id: state.jobId };
  if (frame.reset_stream === true) state.timeline = 0;
  if (typeof frame.data !== "string") return reply;
  const models = (frame.models ?? {}) as Record<string, unknown>;
  if (frame.raw_text === true) {
    const text = frame.data;
    if (text.startsWith("ERROR")) return { error: "Fake failure requested by the test.", code: "E0101", ...reply };
    if (models.language !== undefined) {
      reply.language = text.trim() === "" ? { warning: "No emotional language detected.", code: "W0104" } : { predictions: languagePredictions(text) };
    }
    return reply;
  }
  const bytes = Buffer.from(frame.data, "base64");
  const seconds = wavDurationSeconds(bytes);
  if (seconds === undefined) {
    return { error: "Failed to parse data as a valid media file.", code: "E0200", ...reply };
  }
  if (seconds > 5) return { error: `Audio is longer than 5000 ms (${Math.round(seconds * 1000)} ms).`, code: "E0203", ...reply };
  const begin = state.timeline;
  state.timeline += seconds;
  for (const model of ["prosody", "burst"] as const) {
    if (models[model] === undefined) continue;
    reply[model] = { predictions: [{ time: { begin, end: begin + seconds }, emotions: [{ name: "Calmness", score: 0.25 }] }] };
  }
  return reply;
}

export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const wss = new WebSocketServer({
    port: 0,
    host: "127.0.0.1",
    verifyClient: (info, done) => {
      if (options.apiKey === undefined || info.req.headers["x-hume-api-key"] === options.apiKey) done(true);
      else done(false, 401, "Unauthorized");
    },
  });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const sockets = new Set<WebSocket>();
  const server: FakeServer = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v0/stream/models`,
    frames: [],
    connections: 0,
    dropAll(code = 1011) {
      for (const ws of sockets) ws.close(code, "dropped by test");
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close(() => resolve());
      }),
  };
  wss.on("connection", (ws) => {
    server.connections++;
    sockets.add(ws);
    ws.on("close", () => sockets.delete(ws));
    const state = { timeline: 0, jobId: randomUUID().replaceAll("-", "") };
    let chain = Promise.resolve();
    let index = 0;
    ws.on("message", (data) => {
      const n = index++;
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        frame = {};
      }
      server.frames.push(frame);
      if (options.silent) return;
      const delay = options.delayMs?.(n) ?? 0;
      chain = chain.then(async () => {
        if (delay > 0) await sleep(delay);
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(answer(frame, state)));
      });
    });
  });
  return server;
}
