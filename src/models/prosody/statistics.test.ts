// A stream's running feature statistics and the normalisation blended with the corpora's prior.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { F0_DESCRIPTOR, FEATURE_NAMES, FRAME_DESCRIPTORS, MEL_BANDS, VOICED_DESCRIPTOR } from "../audio-features/index.js";
import { normaliseFrames, RunningStatistics, SpeakerStatistics, type SpeakerPrior } from "./statistics.js";

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

  /** `count` frames: every log-mel band at `band`, F0 at `f0` semitones on every other frame (the rest unvoiced). */
  function frames(count: number, band: number, f0: number): Float32Array {
    const out = new Float32Array(count * FRAME_DESCRIPTORS);
    for (let i = 0; i < count; i++) {
      out.fill(band, i * FRAME_DESCRIPTORS, i * FRAME_DESCRIPTORS + MEL_BANDS);
      if (i % 2 === 0) {
        out[i * FRAME_DESCRIPTORS + F0_DESCRIPTOR] = f0;
        out[i * FRAME_DESCRIPTORS + VOICED_DESCRIPTOR] = 1;
      }
    }
    return out;
  }
  const speakerPrior: SpeakerPrior = {
    features: { mean: new Float32Array(FEATURE_NAMES.length), sd: new Float32Array(FEATURE_NAMES.length).fill(1) },
    frames: { mean: new Float32Array(FRAME_DESCRIPTORS), sd: new Float32Array(FRAME_DESCRIPTORS).fill(1) },
    segments: 10,
    frameCount: 1000,
    voicedFrameCount: 500,
  };

  it("a speaker's frames: log-mel bands over every frame, F0 over voiced frames only, the voicing columns untouched", () => {
    const stats = new SpeakerStatistics();
    for (let i = 0; i < 50; i++) stats.add(new Float32Array(FEATURE_NAMES.length), frames(200, i % 2 === 0 ? 2 : 4, 10));
    assert.equal(stats.segments, 50);
    const { frames: normalisation } = stats.normalisation(speakerPrior);
    // 10,000 frames against a prior worth 1,000: mostly the stream's own (mean 3, sd 1).
    assert.ok(Math.abs(normalisation.mean[0]! - 3 / 1.1) < 1e-3, `band mean ${normalisation.mean[0]}`);
    // Unvoiced frames' F0 of 0 does not pull the F0 mean down: 5,000 voiced frames at 10 against the prior's 500 at 0.
    assert.ok(Math.abs(normalisation.mean[F0_DESCRIPTOR]! - 10 / 1.1) < 1e-3, `F0 mean ${normalisation.mean[F0_DESCRIPTOR]}`);
    assert.equal(normalisation.mean[VOICED_DESCRIPTOR], 0);
    assert.equal(normalisation.sd[VOICED_DESCRIPTOR], 1);
  });

  it("normalised frames: z-scored bands and voiced F0, unvoiced F0 stays 0", () => {
    const mean = new Float32Array(FRAME_DESCRIPTORS).fill(1), sd = new Float32Array(FRAME_DESCRIPTORS).fill(2);
    mean[VOICED_DESCRIPTOR] = 0; sd[VOICED_DESCRIPTOR] = 1;
    const out = normaliseFrames(frames(2, 5, 9), { mean, sd });
    assert.equal(out[0], 2);
    assert.equal(out[F0_DESCRIPTOR], 4);
    assert.equal(out[VOICED_DESCRIPTOR], 1);
    assert.equal(out[FRAME_DESCRIPTORS + F0_DESCRIPTOR], 0);
    assert.equal(out[FRAME_DESCRIPTORS + VOICED_DESCRIPTOR], 0);
  });
});
