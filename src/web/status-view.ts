// Connection state per stream (camera, microphone, text) with the latency of its last reply and how many
// frames it dropped, and a log of errors and notices, newest first.

import type { LaneState } from "./stream-lane.js";

const STATE_WORDS: Readonly<Record<LaneState, string>> = {
  idle: "not connected",
  connecting: "connecting…",
  open: "connected",
  closed: "closed",
  refused: "refused",
};

const LOG_LENGTH = 20;

export class StatusView {
  private readonly rows = new Map<string, HTMLElement>();

  constructor(
    private readonly table: HTMLElement,
    private readonly log: HTMLElement,
  ) {}

  /** One stream's row: "camera — connected · 38 ms · 2 dropped". */
  update(lane: string, state: LaneState, latencyMs: number | undefined, dropped: number): void {
    let row = this.rows.get(lane);
    if (row === undefined) {
      row = document.createElement("li");
      row.dataset.lane = lane;
      this.rows.set(lane, row);
      this.table.append(row);
    }
    row.dataset.state = state;
    const latency = latencyMs === undefined ? "" : ` · last reply ${Math.round(latencyMs)} ms`;
    row.textContent = `${lane}: ${STATE_WORDS[state]}${latency} · ${dropped} dropped`;
  }

  report(source: string, message: string, kind: "error" | "notice"): void {
    const item = document.createElement("li");
    item.className = kind;
    item.textContent = `${new Date().toLocaleTimeString()} ${source}: ${message}`;
    this.log.prepend(item);
    while (this.log.children.length > LOG_LENGTH) this.log.lastElementChild?.remove();
  }
}
