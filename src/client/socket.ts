// A stream socket with the surface of Hume's TS wrapper (spec §7.1), for any server speaking the v0
// protocol. Replies come strictly in request order (spec §1.3), so pending requests form a FIFO and
// callers may pipeline many sends without awaiting each one.

import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import WebSocket from "ws";

import { STREAM_PATH, type JobDetails, type PredictionsReply } from "../protocol/index.js";
import { messageText } from "../protocol/node/message-text.js";
import { toWireModels, type StreamConfig } from "./config.js";
import { StreamConnectionError, StreamError, StreamProtocolError } from "./errors.js";

export const DEFAULT_URL = `ws://127.0.0.1:8000${STREAM_PATH}`;

/** http(s) as the SDKs' base URLs are written; the stream itself is ws(s). */
const SOCKET_SCHEMES: Readonly<Record<string, string>> = { "http:": "ws:", "https:": "wss:", "ws:": "ws:", "wss:": "wss:" };

/**
 * The stream endpoint for `url`, which may be the endpoint itself or a base URL as Hume's SDKs take
 * it: `http://host:8000` or `ws://host:8000` (→ /v0/stream/models), `…/v0/stream` (→ …/models).
 */
export function streamUrl(url: string): string {
  const parsed = new URL(url);
  const scheme = SOCKET_SCHEMES[parsed.protocol];
  if (scheme === undefined) throw new TypeError(`the server URL must start with ws://, wss://, http:// or https://, got '${url}'`);
  parsed.protocol = scheme;
  const path = parsed.pathname.replace(/\/+$/, "");
  if (path === "") parsed.pathname = STREAM_PATH;
  else if (path === "/v0/stream") parsed.pathname = STREAM_PATH;
  return parsed.toString();
}

export interface ConnectOptions {
  /** The endpoint, or a base URL as Hume's SDKs take it (http://host:8000); default ws://127.0.0.1:8000/v0/stream/models. */
  url?: string;
  /** Sent as the `X-Hume-Api-Key` handshake header (spec §1.2). */
  apiKey?: string;
  /** Model configuration sent with every payload until a send replaces it. */
  config: StreamConfig;
  /** `stream_window_ms` sent with every data payload when set (500–10000). */
  streamWindowMs?: number;
  /** Extra handshake headers. */
  headers?: Record<string, string>;
  /** Handshake timeout, milliseconds (default 10000). */
  connectTimeoutMs?: number;
  /** Called each time the socket closes, for whatever reason. */
  onClose?: (event: { code: number; reason: string }) => void;
  /**
   * When the server has closed the connection between requests (1000: idle for a minute, as Hume's API
   * does; 1001 or 1012: going away or restarting, e.g. a Moodwire instance draining), the next send
   * opens a new one first: a new job id and an empty stream window (through a load balancer, likely
   * another instance). Default true; false makes such sends fail with StreamConnectionError.
   */
  reconnect?: boolean;
  /** Called when a send opens a new connection after the server closed an idle one. */
  onReconnect?: () => void;
}

/** A reply to a data or control payload. Top-level warnings (spec §3.3) carry `warning` and `code`. */
export type StreamReply = PredictionsReply & { warning?: string; code?: string };

/** Input accepted by `sendFile`: a path, raw bytes, or a Blob/File. */
export type FileInput = string | URL | Uint8Array | ArrayBuffer | Blob | Readable;

/** Options for `send`, the low-level call every method goes through. */
export interface SendOptions {
  config?: StreamConfig;
  /** Overrides the connection's streamWindowMs for this payload. */
  streamWindowMs?: number;
  /** Sets `reset_stream` on this payload. */
  resetStream?: boolean;
  /** Sets `job_details` on this payload. */
  jobDetails?: boolean;
  /** Uses this payload_id instead of a fresh UUID. */
  payloadId?: string;
}

interface Pending {
  payloadId: string;
  /** The frame as sent, to send again after a server restart close (1012). */
  frame: string;
  resolve: (reply: StreamReply) => void;
  reject: (error: Error) => void;
}

type SocketState = "connecting" | "open" | "closed";

function describeClose(code: number, reason: string): string {
  return `code ${code}${reason ? `: ${reason}` : ""}`;
}

/** Close code of a normal close: what the server sends when it ends an idle connection. */
const NORMAL_CLOSE = 1000;
/**
 * Closes after which the next send opens a new connection: the idle timeout (1000), a server going
 * away (1001) and a server restarting (1012, what Moodwire sends when it drains for a restart).
 */
const SERVICE_RESTART = 1012;
const RECONNECT_CLOSES: ReadonlySet<number> = new Set([NORMAL_CLOSE, 1001, SERVICE_RESTART]);

export class StreamSocket {
  readonly url: string;
  private ws!: WebSocket;
  private config: StreamConfig;
  private readonly streamWindowMs: number | undefined;
  private readonly pending: Pending[] = [];
  private state: SocketState = "connecting";
  private failure: Error | undefined;
  private closedByClient = false;
  /** Set when the server closed an open connection normally: the next send may open a new one. */
  private endedByServer = false;
  private opened!: Promise<void>;
  private closed!: Promise<void>;

  constructor(private readonly options: ConnectOptions) {
    this.url = streamUrl(options.url ?? DEFAULT_URL);
    this.config = options.config;
    this.streamWindowMs = options.streamWindowMs;
    this.open();
  }

  /** The current connection's WebSocket (a new one after a reconnect). */
  get websocket(): WebSocket {
    return this.ws;
  }

  private open(): void {
    const { options } = this;
    const headers: Record<string, string> = { ...options.headers };
    if (options.apiKey !== undefined) headers["X-Hume-Api-Key"] = options.apiKey;
    const ws = new WebSocket(this.url, [], { headers, handshakeTimeout: options.connectTimeoutMs ?? 10_000 });
    this.ws = ws;
    this.state = "connecting";
    this.failure = undefined;
    this.endedByServer = false;

    let markOpen!: () => void;
    let markOpenFailed!: (error: Error) => void;
    this.opened = new Promise<void>((resolve, reject) => {
      markOpen = resolve;
      markOpenFailed = reject;
    });
    // A failed open is reported through sends and connect(); never as an unhandled rejection.
    this.opened.catch(() => undefined);
    let markClosed!: () => void;
    this.closed = new Promise<void>((resolve) => (markClosed = resolve));

    ws.on("open", () => {
      this.state = "open";
      markOpen();
    });
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("error", (error: Error) => {
      this.failure ??= this.state === "connecting" ? this.connectionError(error) : new StreamConnectionError(`the connection failed: ${error.message}`);
    });
    ws.on("close", (code: number, reasonBuffer: Buffer) => {
      const reason = reasonBuffer.toString("utf8");
      const wasConnecting = this.state === "connecting";
      this.state = "closed";
      const error =
        wasConnecting
          ? (this.failure ?? new StreamConnectionError(`could not connect to ${this.url}: the connection closed (${describeClose(code, reason)})`, undefined, code))
          : this.closedByClient
            ? new StreamConnectionError("the connection was closed by the client before a reply arrived", undefined, code)
            : new StreamConnectionError(`the connection closed (${describeClose(code, reason)}) before a reply arrived`, undefined, code);
      if (wasConnecting) markOpenFailed(error);
      this.failure ??= new StreamConnectionError(`the connection is closed (${describeClose(code, reason)})`, undefined, code);
      this.endedByServer = !wasConnecting && !this.closedByClient && RECONNECT_CLOSES.has(code);
      // A draining Moodwire answers every frame it read before closing with 1012: what still waits was
      // never read, so it goes again, first, on a new connection (through a balancer, another instance).
      const replay = code === SERVICE_RESTART && this.endedByServer && options.reconnect !== false ? this.pending.splice(0) : [];
      this.rejectAll(error);
      markClosed();
      options.onClose?.({ code, reason });
      if (replay.length > 0) this.replay(replay);
    });
  }

  private connectionError(error: Error): StreamConnectionError {
    // ws reports a refused upgrade as "Unexpected server response: <status>".
    const status = /Unexpected server response: (\d+)/.exec(error.message)?.[1];
    if (status !== undefined) {
      const code = Number(status);
      if (code === 401) return new StreamConnectionError(`authentication failed (HTTP 401) connecting to ${this.url}; check the API key`, 401);
      return new StreamConnectionError(`the server refused the connection to ${this.url} (HTTP ${code})`, code);
    }
    return new StreamConnectionError(`could not connect to ${this.url}: ${error.message}`);
  }

  /** Resolves once the socket is open; rejects with StreamConnectionError if it cannot open. */
  waitForOpen(): Promise<void> {
    return this.opened;
  }

  get readyState(): SocketState {
    return this.state;
  }

  /** Requests sent and not yet answered. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Sends text (`raw_text: true`). Takes `(text, config?)` or, as Hume's TypeScript SDK, `({ text, config })`. */
  sendText(text: string, config?: StreamConfig): Promise<StreamReply>;
  sendText(args: { text: string; config?: StreamConfig }): Promise<StreamReply>;
  sendText(text: string | { text: string; config?: StreamConfig }, config?: StreamConfig): Promise<StreamReply> {
    const [value, chosen] = typeof text === "string" ? [text, config] : [text.text, text.config ?? config];
    return this.send({ data: value, raw_text: true }, { config: chosen });
  }

  /**
   * Sends a file (path, bytes, Blob or readable stream), base64-encoded. Takes `(file, config?)` or, as
   * Hume's TypeScript SDK, `({ file, config })`.
   */
  sendFile(file: FileInput, config?: StreamConfig): Promise<StreamReply>;
  sendFile(args: { file: FileInput; config?: StreamConfig }): Promise<StreamReply>;
  sendFile(file: FileInput | { file: FileInput; config?: StreamConfig }, config?: StreamConfig): Promise<StreamReply> {
    const [input, chosen] = isWrapperArgs(file, "file") ? [file.file, file.config ?? config] : [file, config];
    const sendBytes = (bytes: Uint8Array): Promise<StreamReply> =>
      this.send({ data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"), raw_text: false }, { config: chosen });
    // Bytes go out synchronously, so frames keep call order with other sends; paths, Blobs and streams are read first.
    if (input instanceof Uint8Array) return sendBytes(input);
    if (input instanceof ArrayBuffer) return sendBytes(new Uint8Array(input));
    return readInput(input).then(sendBytes);
  }

  /**
   * Sends MediaPipe FaceMesh landmarks of shape (faces, 478, 3) as base64 JSON. Takes
   * `(landmarks, config?)` or, as Hume's TypeScript SDK, `({ landmarks, config })`.
   */
  sendFacemesh(landmarks: number[][][], config?: StreamConfig): Promise<StreamReply>;
  sendFacemesh(args: { landmarks: number[][][]; config?: StreamConfig }): Promise<StreamReply>;
  sendFacemesh(landmarks: number[][][] | { landmarks: number[][][]; config?: StreamConfig }, config?: StreamConfig): Promise<StreamReply> {
    const [value, chosen] = Array.isArray(landmarks) ? [landmarks, config] : [landmarks.landmarks, landmarks.config ?? config];
    const data = Buffer.from(JSON.stringify(value), "utf8").toString("base64");
    return this.send({ data, raw_text: false }, { config: chosen });
  }

  /** Clears the server's sliding audio window (`reset_stream`); resolves with the reply (`{}`). */
  reset(): Promise<StreamReply> {
    return this.send({ reset_stream: true }, {});
  }

  /** Asks for the connection's job id. */
  async getJobDetails(): Promise<string> {
    const reply = await this.send({ job_details: true }, {});
    const details: JobDetails | undefined = reply.job_details;
    if (details === undefined || typeof details.job_id !== "string") {
      throw new StreamProtocolError("the reply to job_details carried no job_details.job_id");
    }
    return details.job_id;
  }

  /**
   * Low-level send: `fields` is merged into the payload (snake_case, as on the wire). A payload with
   * `data` gets `models` from the config (a config passed here replaces the stored one, as in Hume's SDK)
   * and `stream_window_ms` when configured.
   */
  async send(fields: Record<string, unknown>, options: SendOptions = {}): Promise<StreamReply> {
    if (options.config !== undefined) this.config = options.config;
    const payloadId = options.payloadId ?? randomUUID();
    const payload: Record<string, unknown> = { payload_id: payloadId, ...fields };
    if (fields.data !== undefined) {
      payload.models = toWireModels(this.config);
      const window = options.streamWindowMs ?? this.streamWindowMs;
      if (window !== undefined) payload.stream_window_ms = window;
    }
    if (options.resetStream) payload.reset_stream = true;
    if (options.jobDetails) payload.job_details = true;
    const frame = JSON.stringify(payload);

    if (this.state === "closed" && this.endedByServer && this.options.reconnect !== false) {
      this.open();
      this.options.onReconnect?.();
    }
    if (this.state === "connecting") await this.opened;
    if (this.state !== "open") {
      throw this.failure ?? new StreamConnectionError("the connection is closed");
    }
    return new Promise<StreamReply>((resolve, reject) => this.transmit({ payloadId, frame, resolve, reject }));
  }

  /**
   * Queues `request` for its reply and writes its frame. When the server has already begun closing
   * the connection, the frame is held: the close then replays it (1012) or fails it with the reason.
   */
  private transmit(request: Pending): void {
    this.pending.push(request);
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(request.frame, (error) => {
      if (error === undefined || error === null) return;
      const index = this.pending.indexOf(request);
      if (index >= 0) this.pending.splice(index, 1);
      request.reject(new StreamConnectionError(`could not send the payload: ${error.message}`));
    });
  }

  /** Opens a new connection and sends `requests` again, in order, ahead of any send made meanwhile. */
  private replay(requests: Pending[]): void {
    this.open();
    this.options.onReconnect?.();
    // Registered before any later send awaits the same promise, so these go first.
    this.opened.then(
      () => {
        for (const request of requests) this.transmit(request);
      },
      (error: Error) => {
        for (const request of requests) request.reject(error);
      },
    );
  }

  /** Closes the connection (code 1000); pending requests are rejected. Resolves once closed. */
  async close(): Promise<void> {
    if (this.state !== "closed") {
      this.closedByClient = true;
      this.failure ??= new StreamConnectionError("the connection was closed by the client");
      if (this.state === "connecting") this.ws.terminate();
      else this.ws.close(NORMAL_CLOSE);
    }
    await this.closed;
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    let reply: unknown;
    try {
      if (isBinary) throw new Error("binary frame");
      const text = messageText(data);
      reply = JSON.parse(text);
      if (typeof reply !== "object" || reply === null || Array.isArray(reply)) throw new Error("not a JSON object");
    } catch (error) {
      const head = this.pending.shift();
      head?.reject(new StreamProtocolError(`the server sent an invalid reply (${(error as Error).message})`));
      return;
    }
    const message = reply as Record<string, unknown>;
    const replyId = typeof message.payload_id === "string" ? message.payload_id : undefined;
    if (this.pending.length === 0) return; // Nothing waits for it (e.g. after a send error); drop.

    let index = 0;
    if (replyId !== undefined) {
      index = this.pending.findIndex((p) => p.payloadId === replyId);
      if (index < 0) {
        const head = this.pending.shift();
        head?.reject(new StreamProtocolError(`the reply's payload_id '${replyId}' matches no request waiting for a reply (expected '${head.payloadId}')`));
        return;
      }
    }
    // Replies are in order: requests ahead of the matched one will never be answered.
    const skipped = this.pending.splice(0, index);
    for (const p of skipped) p.reject(new StreamProtocolError(`the server answered a later payload before payload '${p.payloadId}'`));
    const target = this.pending.shift();
    if (target === undefined) return;

    if (typeof message.error === "string" || (message.error !== undefined && typeof message.code === "string")) {
      const code = typeof message.code === "string" ? message.code : "";
      target.reject(new StreamError(code, String(message.error), replyId ?? target.payloadId));
      return;
    }
    target.resolve(message as StreamReply);
  }

  private rejectAll(error: Error): void {
    const all = this.pending.splice(0, this.pending.length);
    for (const p of all) p.reject(error);
  }
}

/** Hume's TypeScript SDK passes one object (`{ file, config }`); a plain object holding `key` is that. */
function isWrapperArgs<K extends string>(value: unknown, key: K): value is { [k in K]: FileInput } & { config?: StreamConfig } {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype && key in value;
}

async function readInput(file: FileInput): Promise<Uint8Array> {
  if (typeof file === "string" || file instanceof URL) return new Uint8Array(await readFile(file));
  if (file instanceof Uint8Array) return file;
  if (file instanceof ArrayBuffer) return new Uint8Array(file);
  if (typeof Blob !== "undefined" && file instanceof Blob) return new Uint8Array(await file.arrayBuffer());
  if (file instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of file) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }
  throw new TypeError("sendFile takes a path, a Uint8Array/Buffer, an ArrayBuffer, a Blob or a readable stream (fs.createReadStream)");
}

/** Opens a socket and resolves once it is open. HTTP 401 rejects with "authentication failed (HTTP 401)". */
export async function connect(options: ConnectOptions): Promise<StreamSocket> {
  const socket = new StreamSocket(options);
  await socket.waitForOpen();
  return socket;
}
