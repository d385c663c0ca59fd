// One WebSocket per kind of media (camera, microphone, text), each with at most one request in flight: a
// frame that comes while the previous reply is outstanding is dropped, never queued, so a slow server
// makes the page sample less instead of building a backlog. Separate sockets keep a slow audio reply from
// holding up a face reply (replies come in request order on a socket) and give each its own stream window.
// A socket the server closed (idle timeout 1000, restart 1012…) is reopened by the next request.

import type { StreamReply } from "../protocol/index.js";
import type { WireModels } from "../client/config.js";

/** A request as the page sends it, snake_case as on the wire (spec §2); absent options take the server's defaults. */
export interface OutgoingRequest {
  data: string;
  models: WireModels;
  raw_text?: boolean;
  stream_window_ms?: number;
}

export type LaneState = "idle" | "connecting" | "open" | "closed" | "refused";

export interface LaneListener {
  state(state: LaneState, detail: { code?: number; reason?: string }): void;
  reply(reply: StreamReply, latencyMs: number): void;
}

/** After a refused handshake, requests are dropped for this long instead of hammering the server (HTTP 429). */
const RETRY_AFTER_REFUSAL_MS = 3000;

export class StreamLane {
  private socket: WebSocket | undefined;
  private inFlight: { payloadId: string; sentAt: number } | undefined;
  private pending: string | undefined;
  private sent = 0;
  private retryAt = 0;
  private droppedCount = 0;

  constructor(
    readonly name: string,
    private readonly endpoint: () => string,
    private readonly listener: LaneListener,
  ) {}

  /** Requests dropped because a reply was outstanding (or the server had just refused a handshake). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** True while a request waits for its reply (or for the socket to open). */
  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  /**
   * Sends the request `build` makes, or drops it (resolving false, `build` never called) while the previous
   * one is unanswered. The slot is taken before `build` runs, so a slow build (a JPEG encode) cannot let a
   * second request through; `build` may give up by returning undefined.
   */
  async send(build: () => OutgoingRequest | undefined | Promise<OutgoingRequest | undefined>): Promise<boolean> {
    if (this.busy || performance.now() < this.retryAt) {
      this.droppedCount++;
      return false;
    }
    const payloadId = `${this.name}-${++this.sent}`;
    const slot = { payloadId, sentAt: performance.now() };
    this.inFlight = slot;
    const request = await build();
    if (this.inFlight !== slot) return false; // closed meanwhile
    if (request === undefined) {
      this.inFlight = undefined;
      return false;
    }
    const frame = JSON.stringify({ ...request, payload_id: payloadId });
    slot.sentAt = performance.now();
    const socket = this.socket;
    if (socket?.readyState === WebSocket.OPEN) socket.send(frame);
    else {
      this.pending = frame;
      if (socket === undefined) this.open();
    }
    return true;
  }

  /** Closes the socket (Stop, or a new API key); the next request opens a new one, at once. */
  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.inFlight = undefined;
    this.pending = undefined;
    this.retryAt = 0;
    socket?.close(1000, "closed by the page");
    this.listener.state("idle", {});
  }

  private open(): void {
    const socket = new WebSocket(this.endpoint());
    this.socket = socket;
    let opened = false;
    this.listener.state("connecting", {});
    socket.onopen = () => {
      opened = true;
      this.listener.state("open", {});
      if (this.pending !== undefined) socket.send(this.pending);
      this.pending = undefined;
      if (this.inFlight !== undefined) this.inFlight.sentAt = performance.now();
    };
    socket.onmessage = (event: MessageEvent<string>) => {
      const reply = JSON.parse(event.data) as StreamReply;
      const request = this.inFlight;
      // A reply to a request of a socket this lane has since replaced is not ours to show.
      if (socket !== this.socket || request === undefined || reply.payload_id !== request.payloadId) return;
      this.inFlight = undefined;
      this.listener.reply(reply, performance.now() - request.sentAt);
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.socket = undefined;
      this.inFlight = undefined;
      this.pending = undefined;
      if (!opened) this.retryAt = performance.now() + RETRY_AFTER_REFUSAL_MS;
      this.listener.state(opened ? "closed" : "refused", { code: event.code, reason: event.reason });
    };
  }
}
