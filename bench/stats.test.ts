import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mean, percentile, percentileSorted, round, slope, summarize } from "./stats.js";

describe("bench stats", () => {
  it("interpolates percentiles linearly between ranks", () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentile(values, 0), 1);
    assert.equal(percentile(values, 100), 10);
    assert.equal(percentile(values, 50), 5.5);
    assert.ok(Math.abs(percentile(values, 95) - 9.55) < 1e-12);
    assert.ok(Math.abs(percentile(values, 99) - 9.91) < 1e-12);
  });

  it("does not depend on input order and leaves the input untouched", () => {
    const values = [9, 1, 5, 3, 7];
    assert.equal(percentile(values, 50), 5);
    assert.deepEqual(values, [9, 1, 5, 3, 7]);
    assert.equal(percentileSorted([1, 3, 5, 7, 9], 25), 3);
  });

  it("handles one value, empty samples and bad percentiles", () => {
    assert.equal(percentile([42], 99), 42);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.throws(() => percentile([1, 2], 101), RangeError);
    assert.throws(() => percentile([1, 2], Number.NaN), RangeError);
  });

  it("sorts numerically, not as strings", () => {
    assert.equal(percentile([10, 9, 100, 2], 0), 2);
    assert.equal(percentile([10, 9, 100, 2], 100), 100);
  });

  it("summarizes a sample", () => {
    const s = summarize([4, 2, 8, 6]);
    assert.equal(s.count, 4);
    assert.equal(s.min, 2);
    assert.equal(s.max, 8);
    assert.equal(s.p50, 5);
    assert.equal(s.mean, 5);
    assert.equal(mean([]), Number.NaN);
  });

  it("rounds for reporting and maps non-finite values to null", () => {
    assert.equal(round(1.23456, 2), 1.23);
    assert.equal(round(Number.NaN), null);
    assert.equal(round(Number.POSITIVE_INFINITY), null);
  });

  it("fits a least-squares slope", () => {
    assert.equal(slope([0, 1, 2, 3], [1, 3, 5, 7]), 2);
    assert.ok(Math.abs(slope([0, 1, 2, 3], [5, 5.5, 4.5, 5])) < 0.5);
    assert.ok(Number.isNaN(slope([1], [1])));
    assert.ok(Number.isNaN(slope([2, 2, 2], [1, 2, 3])));
  });
});
