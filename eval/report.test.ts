// What an evaluation prints for people: progress with a time estimate, and the bar table.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { barTable, progress } from "./report.js";

describe("progress", () => {
  it("prints at the start and at the end, with the count, share and time", () => {
    const lines: string[] = [];
    const tick = progress("demo eval", 4, (line) => lines.push(line));
    tick(0);
    tick(1);
    tick(4);
    assert.equal(lines.length, 2, lines.join("\n"));
    assert.match(lines[0]!, /^demo eval: 0\/4 \(0 %\)$/);
    assert.match(lines[1]!, /^demo eval: 4\/4 \(100 %\), \d+ s$/);
  });
});

describe("barTable", () => {
  it("says met or FAILED for each bar, with the figure its name starts with", () => {
    const { lines, allMet } = barTable({ burst_auc: 0.97, ferplus_accuracy: 0.83, bars: { burst_auc_ge_0_95: true, ferplus_ge_0_85: false, other_le_1: true } });
    assert.deepEqual(lines, ["met     burst_auc_ge_0_95  (0.97)", "FAILED  ferplus_ge_0_85  (0.83)", "met     other_le_1"]);
    assert.equal(allMet, false);
  });

  it("has nothing to say without bars", () => {
    assert.deepEqual(barTable({ model: "x" }), { lines: [], allMet: true });
  });
});
