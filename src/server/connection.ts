// One WebSocket connection: frames are handled one after another and answered in arrival order.
// Past `maxInFlight` queued frames the server stops reading the socket (TCP backpressure); frames
// already buffered beyond twice that are answered E0300 without being processed.

import { performance } from "node:perf_hooks";
import type { RawData, WebSocket } from "ws";
import { ErrorCode, messageText, serializeReply, type ErrorReply, type Limits, type StreamReply } from "../protocol/index.js";
import { ConnectionSession } from "../session/session.js";
import { handleFrame, type RequestContext } from "./handle-request.js";
import type { ServerMetrics } from "./metrics.js";
import type { ModelRegistry } from "../models/registry.js";

export interface ConnectionOptions {
  registry: ModelRegistry;
  limits: Limits;
  metrics: ServerMetrics;
  /** Called for failures that are not the client's fault; never given payload data. */
  logError: (message: string) => void;
}

/** Refused frames up to this size are still parsed for their payload_id, so pipelining clients can match the reply. */
const PAYLOAD_ID_SCAN_BYTES = 64 * 1024;

function readPayloadId(data: RawData): string | undefined {
  try {
    const value: unknown = JSON.parse(messageText(data));
    if (typeof value === "object" && value !== null && "payload_id" in value && typeof value.payload_id === "string") return value.payload_id;
  } catch {
    // Not JSON: the reply goes out without a payload_id.
  }
  return undefined;
}

type Job = { kind: "frame"; frame: string; received: number } | { kind: "reply"; reply: ErrorReply; received: number };

export class Connection {
  private readonly session = new ConnectionSession();
  private readonly context: RequestContext;
  private readonly queue: Job[] = [];
  private draining = false;
  private paused = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly socket: WebSocket, private readonly options: ConnectionOptions) {
    this.context = { registry: options.registry, session: this.session, limits: options.limits, metrics: options.metrics };
    socket.on("message", (data) => this.onMessage(data));
    this.armIdleTimer();
  }

  /** Resolves once every queued frame has been answered. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && !this.draining) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
  }

  private onMessage(data: RawData): void {
    const received = performance.now();
    this.options.metrics.messages.inc();
    this.armIdleTimer();
    const { maxInFlight, maxFrameBytes } = this.options.limits;
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;
    if (this.queue.length >= 2 * maxInFlight) {
      const reply: ErrorReply = { error: `Too many requests in flight on this connection (limit ${maxInFlight}); wait for replies before sending more.`, code: ErrorCode.TooManyInFlight };
      const payloadId = size <= PAYLOAD_ID_SCAN_BYTES ? readPayloadId(data) : undefined;
      if (payloadId !== undefined) reply.payload_id = payloadId;
      this.enqueue({ kind: "reply", received, reply });
    } else if (size > maxFrameBytes) {
      this.enqueue({ kind: "reply", received, reply: { error: `The message is ${size} bytes; the limit is ${maxFrameBytes} bytes.`, code: ErrorCode.FrameTooLarge } });
    } else {
      // Binary frames are read as UTF-8 JSON too, so clients that send bytes still get a coded reply.
      this.enqueue({ kind: "frame", frame: messageText(data), received });
    }
    if (!this.paused && this.queue.length >= maxInFlight) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const job = this.queue[0]!;
      const reply = job.kind === "reply" ? job.reply : await this.answer(job.frame);
      this.queue.shift();
      this.send(reply, job.received);
      if (this.paused && this.queue.length < this.options.limits.maxInFlight) {
        this.paused = false;
        this.socket.resume();
      }
    }
    this.draining = false;
    this.armIdleTimer();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async answer(frame: string): Promise<StreamReply> {
    try {
      return await handleFrame(frame, this.context);
    } catch (error) {
      this.options.logError(`internal error while handling a message: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      return { error: "Internal error while handling the message.", code: ErrorCode.Internal };
    }
  }

  private send(reply: StreamReply, received: number): void {
    const { metrics } = this.options;
    if ("error" in reply) metrics.errors.inc({ code: reply.code });
    else {
      for (const value of Object.values(reply)) {
        if (typeof value === "object" && value !== null && "warning" in value && "code" in value) metrics.errors.inc({ code: String(value.code) });
      }
    }
    metrics.replies.inc({ outcome: "error" in reply ? "error" : "ok" });
    metrics.requestLatency.observe({}, (performance.now() - received) / 1000);
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(serializeReply(reply), { binary: false });
  }

  /** Closes the connection with 1000 after `idleTimeoutMs` without messages or work in progress. */
  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    if (this.queue.length > 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.queue.length === 0) this.socket.close(1000, "idle timeout");
    }, this.options.limits.idleTimeoutMs);
    this.idleTimer.unref();
  }
}
