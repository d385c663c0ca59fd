// One WebSocket connection: frames are handled one after another and answered in arrival order.
//
// Flow control, all of it by bytes (a count of frames says little about memory: ws hands over every frame
// of one TCP read at once, so pausing the socket cannot hold back the small ones already read):
// * input: the server stops reading the socket while `maxInFlight` frames or `maxFrameBytes` of frames
//   are queued; frames that were already read past twice `maxFrameBytes` are answered E0300 unprocessed;
// * output: replies the client has not read yet (bytes not flushed to the socket) past
//   SEND_BUFFER_BYTES hold back the next frame, and reading, until the client reads; a client that reads
//   nothing for `idleTimeoutMs` while replies wait is dropped (counted as close code 1008);
// * server-wide: frames (from their first byte on the socket) and decoded media in flight count against
//   one InFlightBudget; past it every connection stops reading, except one that may finish the frame it
//   is receiving (see in-flight-budget.ts).

import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import type { RawData, WebSocket } from "ws";
import { ErrorCode, type ErrorReply, type Limits, type StreamReply } from "../protocol/index.js";
import { messageText, serializeReply } from "../protocol/node/index.js";
import { ConnectionSession } from "../session/session.js";
import type { Logger } from "./log.js";
import { handleFrame, type RequestContext } from "./handle-request.js";
import type { BudgetMember, InFlightBudget } from "./in-flight-budget.js";
import type { ServerMetrics } from "./metrics.js";
import type { ModelRegistry } from "../models/registry.js";

export interface ConnectionOptions {
  registry: ModelRegistry;
  limits: Limits;
  metrics: ServerMetrics;
  budget: InFlightBudget;
  /** Called for failures that are not the client's fault; never given payload data. */
  log: Logger;
}

/** Refused frames up to this size are still parsed for their payload_id, so pipelining clients can match the reply. */
const PAYLOAD_ID_SCAN_BYTES = 64 * 1024;
/** What one queued frame costs beyond its bytes (the job and its string), so tiny frames are not free. */
const FRAME_OVERHEAD_BYTES = 256;
/** A client frame's header is 6 to 14 bytes (masked); received bytes beyond a frame's payload up to this are its header. */
const MAX_FRAME_HEADER_BYTES = 14;
/** Unread reply bytes past which the connection stops answering until the client reads. */
const SEND_BUFFER_BYTES = 4 * 1024 * 1024;

/** Close codes of ws's protocol errors (RFC 6455 §7.4.1): message too big, invalid UTF-8, else a protocol error. */
const CLOSE_CODE_BY_WS_ERROR: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
};
const PROTOCOL_ERROR_CLOSE_CODE = 1002;
const STALLED_CLOSE_CODE = 1008;

function readPayloadId(data: RawData): string | undefined {
  try {
    const value: unknown = JSON.parse(messageText(data));
    if (typeof value === "object" && value !== null && "payload_id" in value && typeof value.payload_id === "string") return value.payload_id;
  } catch {
    // Not JSON: the reply goes out without a payload_id.
  }
  return undefined;
}

function frameSize(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/** A queued frame, or a reply decided on arrival; `bytes` is what it holds of the queue and the budget. */
type Job = ({ kind: "frame"; frame: string } | { kind: "reply"; reply: ErrorReply }) & { received: number; bytes: number };

export class Connection implements BudgetMember {
  private readonly session = new ConnectionSession();
  private readonly context: RequestContext;
  private readonly queue: Job[] = [];
  private queuedBytes = 0;
  /** Bytes read from the socket that ws has not yet handed over as a whole frame. */
  private receivingBytes = 0;
  private unsentBytes = 0;
  private lastActivity = performance.now();
  private draining = false;
  private paused = false;
  private readingStopped = false;
  private closed = false;
  /** The close code the server chose (idle, shutdown, stalled, protocol error); else the peer's. */
  private closeCode: number | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private sendWaiter: (() => void) | undefined;
  /** `raw` is the TCP socket under `socket`: its bytes count against the budget before a frame is whole. */
  constructor(private readonly socket: WebSocket, raw: Duplex, private readonly options: ConnectionOptions) {
    this.context = { registry: options.registry, session: this.session, limits: options.limits, metrics: options.metrics, budget: options.budget, log: options.log };
    // Before ws's own listener, so a frame's last bytes are counted before its message event.
    raw.prependListener("data", (chunk: Buffer) => this.onBytes(chunk.length));
    socket.on("message", (data) => this.onMessage(data));
    options.budget.join(this);
    this.armIdleTimer();
  }

  partialBytes(): number {
    return this.receivingBytes;
  }

  budgetChanged(): void {
    this.updateFlow();
  }

  /**
   * Stops reading new frames for good (a drain): frames already read are still answered, so a client
   * may safely send again, elsewhere, whatever it has not had a reply to when the close comes.
   */
  stopReading(): void {
    this.readingStopped = true;
    this.updateFlow();
  }

  /** True when every frame read has been answered. */
  get isIdle(): boolean {
    return this.queue.length === 0 && !this.draining;
  }

  /** Resolves once every queued frame has been answered. */
  idle(): Promise<void> {
    if (this.isIdle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Closes with `code`, which is also what /metrics counts for this connection. */
  close(code: number, reason: string): void {
    this.closeCode ??= code;
    this.socket.close(code, reason);
  }

  /** A protocol error from ws (too large, invalid UTF-8...): ws has sent its close frame; drop the socket. */
  fail(error: Error & { code?: string }): void {
    this.drop(CLOSE_CODE_BY_WS_ERROR[error.code ?? ""] ?? PROTOCOL_ERROR_CLOSE_CODE);
  }

  /** Ends the socket without a closing handshake; /metrics counts it as `code`. */
  private drop(code: number): void {
    this.closeCode ??= code;
    this.socket.terminate();
  }

  /** Called once the socket has closed: queued frames are dropped (nobody can read their replies). */
  dispose(peerCode: number): number {
    this.closed = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.stallTimer);
    this.options.budget.release(this.receivingBytes);
    this.receivingBytes = 0;
    this.options.budget.leave(this);
    this.sendWaiter?.();
    if (!this.draining) this.dropQueue();
    return this.closeCode ?? peerCode;
  }

  private onBytes(bytes: number): void {
    this.lastActivity = performance.now();
    this.receivingBytes += bytes;
    this.options.budget.charge(bytes);
  }

  private onMessage(data: RawData): void {
    const received = performance.now();
    this.options.metrics.messages.inc();
    this.armIdleTimer();
    const { maxFrameBytes } = this.options.limits;
    const size = frameSize(data);
    // The frame's bytes move from "being received" to the queued job (or are dropped, for a refused frame).
    const arrived = Math.min(this.receivingBytes, size + MAX_FRAME_HEADER_BYTES);
    this.receivingBytes -= arrived;
    this.options.budget.release(arrived);
    this.options.budget.frameDone(this);
    if (this.queuedBytes + size + FRAME_OVERHEAD_BYTES > 2 * maxFrameBytes) {
      const reply: ErrorReply = {
        error: `Too many requests in flight on this connection (more than ${2 * maxFrameBytes} bytes queued); wait for replies before sending more.`,
        code: ErrorCode.TooManyInFlight,
      };
      const payloadId = size <= PAYLOAD_ID_SCAN_BYTES ? readPayloadId(data) : undefined;
      if (payloadId !== undefined) reply.payload_id = payloadId;
      this.enqueue({ kind: "reply", reply, received, bytes: FRAME_OVERHEAD_BYTES });
    } else if (size > maxFrameBytes) {
      this.enqueue({ kind: "reply", reply: { error: `The message is ${size} bytes; the limit is ${maxFrameBytes} bytes.`, code: ErrorCode.FrameTooLarge }, received, bytes: FRAME_OVERHEAD_BYTES });
    } else {
      // Binary frames are read as UTF-8 JSON too, so clients that send bytes still get a coded reply.
      this.enqueue({ kind: "frame", frame: messageText(data), received, bytes: size + FRAME_OVERHEAD_BYTES });
    }
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    this.queuedBytes += job.bytes;
    this.options.budget.charge(job.bytes);
    this.updateFlow();
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0 && !this.closed) {
      await this.sendRoom();
      if (this.closed) break;
      const job = this.queue[0]!;
      const reply = job.kind === "reply" ? job.reply : await this.answer(job.frame);
      this.queue.shift();
      this.forget(job);
      this.send(reply, job.received);
      this.updateFlow();
    }
    if (this.closed) this.dropQueue();
    this.draining = false;
    this.armIdleTimer();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private forget(job: Job): void {
    this.queuedBytes -= job.bytes;
    this.options.budget.release(job.bytes);
  }

  private dropQueue(): void {
    for (const job of this.queue.splice(0)) this.forget(job);
  }

  /** Pauses or resumes reading the socket from the queue, the unread replies and the server-wide budget. */
  private updateFlow(): void {
    const { maxInFlight, maxFrameBytes } = this.options.limits;
    const hold =
      !this.closed &&
      (this.readingStopped || this.queue.length >= maxInFlight || this.queuedBytes >= maxFrameBytes || this.unsentBytes > SEND_BUFFER_BYTES || !this.options.budget.mayRead(this));
    if (hold === this.paused) return;
    this.paused = hold;
    if (hold) this.socket.pause();
    else this.socket.resume();
  }

  /** Resolves when the client has read enough of the replies sent so far (or the connection closed). */
  private sendRoom(): Promise<void> {
    if (this.unsentBytes <= SEND_BUFFER_BYTES) return Promise.resolve();
    // A client that reads none of the waiting replies for idleTimeoutMs is dropped: a close frame could not reach it either.
    this.stallTimer = setTimeout(() => this.drop(STALLED_CLOSE_CODE), this.options.limits.idleTimeoutMs);
    this.stallTimer.unref();
    return new Promise((resolve) => {
      this.sendWaiter = () => {
        this.sendWaiter = undefined;
        clearTimeout(this.stallTimer);
        resolve();
      };
    });
  }

  private async answer(frame: string): Promise<StreamReply> {
    try {
      return await handleFrame(frame, this.context);
    } catch (error) {
      this.options.log.error("internal_error", { message: error instanceof Error ? error.stack ?? error.message : String(error) });
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
    if (this.socket.readyState !== this.socket.OPEN) return;
    const bytes = serializeReply(reply);
    this.unsentBytes += bytes.length;
    this.socket.send(bytes, { binary: false }, () => {
      this.unsentBytes -= bytes.length;
      if (this.unsentBytes <= SEND_BUFFER_BYTES) {
        this.sendWaiter?.();
        this.updateFlow();
      }
    });
  }

  /** Closes the connection with 1000 after `idleTimeoutMs` without bytes from the client or work in progress. */
  private armIdleTimer(delayMs = this.options.limits.idleTimeoutMs): void {
    clearTimeout(this.idleTimer);
    if (this.queue.length > 0 || this.closed) return;
    this.idleTimer = setTimeout(() => {
      if (this.queue.length > 0) return;
      // Bytes of a frame still arriving count as activity: a large upload on a slow link is not idle.
      const quiet = performance.now() - this.lastActivity;
      if (quiet < this.options.limits.idleTimeoutMs) this.armIdleTimer(this.options.limits.idleTimeoutMs - quiet);
      else this.close(1000, "idle timeout");
    }, delayMs);
    this.idleTimer.unref();
  }
}
