// The playground's pure helpers, in Node (the rest of the page is tested in Chromium, tests/e2e/): the
// microphone's resampler and the readings of a score list.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeError } from "../../src/web/messages.js";
import { downsample } from "../../src/web/resample.js";
import { topScores } from "../../src/client/replies.js";
import { meanSentiment } from "../../src/web/scores.js";
import { CODE_DESCRIPTIONS, ErrorCode } from "../../src/protocol/index.js";

describe("downsample", () => {
  it("turns 48 kHz into 16 kHz: a third of the samples, a constant kept, a sine's level kept", () => {
    const constant = downsample(new Float32Array(4800).fill(0.5), 48_000, 16_000);
    assert.equal(constant.length, 1600);
    assert.ok(constant.every((v) => Math.abs(v - 0.5) < 1e-6));
    const sine = Float32Array.from({ length: 48_000 }, (_, i) => Math.sin((2 * Math.PI * 200 * i) / 48_000));
    const peak = Math.max(...downsample(sine, 48_000, 16_000));
    assert.ok(peak > 0.98 && peak <= 1, String(peak));
  });

  it("leaves audio that is not faster than the target as it is", () => {
    const input = new Float32Array([0.1, 0.2]);
    assert.equal(downsample(input, 16_000, 16_000), input);
    assert.equal(downsample(input, 8000, 16_000), input);
  });
});

describe("score readings", () => {
  it("top gives the highest first; meanSentiment the expected level", () => {
    assert.deepEqual(topScores([{ name: "a", score: 0.1 }, { name: "b", score: 0.7 }, { name: "c", score: 0.3 }], 2).map((s) => s.name), ["b", "c"]);
    assert.equal(meanSentiment([{ name: "1", score: 0.5 }, { name: "9", score: 0.5 }]), 5);
  });

  it("every error code reads as its description and the server's words", () => {
    for (const code of Object.values(ErrorCode)) {
      assert.equal(describeError({ code, error: "details" }), `${code}: ${CODE_DESCRIPTIONS[code]} Server: details`);
    }
  });
});
