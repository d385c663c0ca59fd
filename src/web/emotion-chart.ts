// A uPlot line chart of the top expressions over the last minute: a label gets a line once it ranks in
// the top TOP_N of some point, and loses it when it has not for a whole window, so the chart shows what
// mattered lately and its legend stays short.

import uPlot from "uplot";
import type { Score } from "../protocol/index.js";
import { lineColor } from "./colors.js";
import { topScores } from "../client/replies.js";

const TOP_N = 3;
const WINDOW_S = 60;
const HEIGHT = 200;

export class EmotionChart {
  private readonly times: number[] = [];
  /** Each charted label's scores, one per time (null before it was charted). */
  private readonly values = new Map<string, Array<number | null>>();
  private readonly lastRanked = new Map<string, number>();
  private readonly plot: uPlot;

  constructor(container: HTMLElement, xLabel: string) {
    this.plot = new uPlot(
      {
        width: Math.max(280, container.clientWidth),
        height: HEIGHT,
        scales: { x: { time: false }, y: { range: [0, 1] } },
        axes: [{ label: xLabel }, { label: "score" }],
        series: [{ label: xLabel, value: (_, v) => (v == null ? "–" : v.toFixed(1)) }],
      },
      [[]],
      container,
    );
    new ResizeObserver(() => this.plot.setSize({ width: Math.max(280, container.clientWidth), height: HEIGHT })).observe(container);
  }

  add(time: number, scores: readonly Score[]): void {
    for (const { name } of topScores(scores, TOP_N)) {
      this.lastRanked.set(name, time);
      if (!this.values.has(name)) {
        this.values.set(name, this.times.map(() => null));
        this.plot.addSeries({ label: name, stroke: lineColor(name), width: 2, spanGaps: true }, this.plot.series.length);
      }
    }
    this.times.push(time);
    const byName = new Map(scores.map((s) => [s.name, s.score]));
    for (const [name, series] of this.values) series.push(byName.get(name) ?? null);
    this.forgetBefore(time - WINDOW_S);
    this.plot.setData([this.times, ...this.values.values()]);
  }

  private forgetBefore(cutoff: number): void {
    while (this.times.length > 0 && this.times[0]! < cutoff) {
      this.times.shift();
      for (const series of this.values.values()) series.shift();
    }
    // Series are indexed from 1 (0 is x), in the order of `values`; drop from the end so indices hold.
    const names = [...this.values.keys()];
    for (let i = names.length - 1; i >= 0; i--) {
      const name = names[i]!;
      if (this.lastRanked.get(name)! >= cutoff) continue;
      this.plot.delSeries(i + 1);
      this.values.delete(name);
      this.lastRanked.delete(name);
    }
  }
}
