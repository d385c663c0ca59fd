// The microphone's results on the stream timeline (seconds of audio the server has received): a scrolling
// strip of speech segments tinted by their top expression and of burst events, plus the latest ones as text.
// Replies analyse an overlapping window, so a segment comes again in later replies: it is kept by its
// start time and the newest reading wins.

import type { TimedPrediction } from "../protocol/index.js";
import { lineColor, tintColor } from "./colors.js";
import { formatScores, topScores } from "../client/replies.js";

const VISIBLE_S = 30;
const ROW_HEIGHT = 34;
const AXIS_HEIGHT = 18;
/** Room on the left for the rows' titles. */
const GUTTER = 64;
const ROWS = [
  { key: "prosody", title: "speech" },
  { key: "burst", title: "bursts" },
] as const;
type Row = (typeof ROWS)[number]["key"];

export class VoiceView {
  private readonly events: Record<Row, Map<string, TimedPrediction>> = { prosody: new Map(), burst: new Map() };
  private now = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly latest: HTMLElement,
  ) {}

  /** Predictions of one model from a reply, and the stream time the server has reached. */
  add(row: Row, predictions: readonly TimedPrediction[], now: number): void {
    this.now = Math.max(this.now, now);
    const events = this.events[row];
    for (const prediction of predictions) events.set(prediction.time.begin.toFixed(2), prediction);
    for (const [key, event] of events) if (event.time.end < this.now - VISIBLE_S) events.delete(key);
    this.draw();
    this.describeLatest();
  }

  clear(): void {
    this.events.prosody.clear();
    this.events.burst.clear();
    this.now = 0;
    this.draw();
    this.latest.replaceChildren();
  }

  private draw(): void {
    const width = this.canvas.clientWidth || 600;
    this.canvas.width = width;
    this.canvas.height = ROWS.length * ROW_HEIGHT + AXIS_HEIGHT;
    const context = this.canvas.getContext("2d");
    if (context === null) return;
    const start = Math.max(0, this.now - VISIBLE_S);
    const x = (t: number) => GUTTER + Math.max(0, (t - start) / VISIBLE_S) * (width - GUTTER);
    context.font = "13px system-ui, sans-serif";
    ROWS.forEach(({ key, title }, i) => {
      const y = i * ROW_HEIGHT;
      context.fillStyle = "#333333";
      context.fillText(title, 4, y + ROW_HEIGHT / 2 + 5);
      context.fillStyle = "#f1f1f1";
      context.fillRect(GUTTER, y + 2, width - GUTTER, ROW_HEIGHT - 4);
      for (const event of this.events[key].values()) {
        const label = topScores(event.emotions, 1)[0]?.name ?? "";
        const left = x(event.time.begin);
        const right = Math.max(left + 3, x(event.time.end));
        context.fillStyle = tintColor(label);
        context.fillRect(left, y + 4, right - left, ROW_HEIGHT - 8);
        context.strokeStyle = lineColor(label);
        context.strokeRect(left, y + 4, right - left, ROW_HEIGHT - 8);
        context.fillStyle = "#111111";
        if (right - left > context.measureText(label).width + 6) context.fillText(label, left + 3, y + ROW_HEIGHT / 2 + 5);
      }
    });
    // Seconds along the bottom, every 5 s.
    context.fillStyle = "#333333";
    for (let t = Math.ceil(start / 5) * 5; t <= start + VISIBLE_S; t += 5) context.fillText(`${t} s`, x(t) + 2, this.canvas.height - 4);
  }

  private describeLatest(): void {
    const lines = ROWS.flatMap(({ key, title }) => {
      const newest = [...this.events[key].values()].sort((a, b) => b.time.begin - a.time.begin)[0];
      if (newest === undefined) return [];
      const item = document.createElement("li");
      item.textContent = `Latest ${title === "speech" ? "speech segment" : "burst"}, ${newest.time.begin.toFixed(1)}–${newest.time.end.toFixed(1)} s: ${formatScores(topScores(newest.emotions, 3))}`;
      return [item];
    });
    this.latest.replaceChildren(...lines);
  }
}
