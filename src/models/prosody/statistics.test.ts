// A stream's running feature statistics and the normalisation blended with the corpora's prior.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RunningStatistics } from "./statistics.js";

describe("prosody running statistics", () => {
  const prior = { mean: Float32Array.of(0, 10), sd: Float32Array.of(1, 2) };

  it("with no segments the normalisation is the prior", () => {
    const { mean, sd } = new RunningStatistics(2).normalisation(prior, 10);
    assert.deepEqual([...mean], [0, 10]);
    assert.deepEqual([...sd], [1, 2]);
  });

  it("moves towards the stream's own mean and spread as segments arrive", () => {
    const stats = new RunningStatistics(2);
    for (let i = 0; i < 1000; i++) stats.add([5 + (i % 2 === 0 ? 3 : -3), 10]);
    const { mean, sd } = stats.normalisation(prior, 10);
    assert.equal(stats.segments, 1000);
    assert.ok(Math.abs(mean[0]! - 5) < 0.1, `mean ${mean[0]}`);
    assert.ok(Math.abs(sd[0]! - 3) < 0.1, `sd ${sd[0]}`);
    // A feature constant in the stream keeps some of the prior's spread: never a zero divisor.
    assert.ok(sd[1]! > 0.1);
  });

  it("ten segments against a prior worth ten: halfway", () => {
    const stats = new RunningStatistics(2);
    for (let i = 0; i < 10; i++) stats.add([2, 10]);
    assert.ok(Math.abs(stats.normalisation(prior, 10).mean[0]! - 1) < 1e-6);
  });
});
