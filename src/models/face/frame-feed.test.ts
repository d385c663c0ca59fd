// The face model's frame feed: frames decoded while earlier ones run are batched, every frame is
// answered once and in order, and a failed run neither goes unhandled nor starts more work.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ImageFrame, VideoFrame } from "../../media/types.js";
import { FaceFrameFeed } from "./frame-feed.js";
import type { FoundFace } from "./kernel-types.js";

/** A frame whose single "face" carries the frame's number as its probability. */
function frame(n: number): VideoFrame {
  return { index: n, time: n, image: { width: n, height: 1, data: new Uint8Array(0) } };
}

/** A fake kernel: each run waits until released, then answers one face per frame. */
class HeldRuns {
  readonly batches: number[][] = [];
  private readonly releases: (() => void)[] = [];
  failNext = false;

  readonly run = (images: ImageFrame[]): Promise<FoundFace[][]> => {
    this.batches.push(images.map((i) => i.width));
    const fail = this.failNext;
    this.failNext = false;
    return new Promise((resolve, reject) => {
      this.releases.push(() => (fail ? reject(new Error("kernel failed")) : resolve(images.map((i) => [{ box: { x: 0, y: 0, w: 1, h: 1 }, prob: i.width, classes: new Float32Array(0), signals: new Float32Array(0) }]))));
    });
  };

  async releaseNext(): Promise<void> {
    this.releases.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("face frame feed", () => {
  it("sends frames that arrive while a run is busy as the next batch, and answers every frame in order", async () => {
    const kernel = new HeldRuns();
    const feed = new FaceFrameFeed(kernel.run);
    feed.add(frame(0));
    feed.add(frame(1));
    feed.add(frame(2));
    assert.deepEqual(kernel.batches, [[0]]);
    await kernel.releaseNext();
    assert.deepEqual(kernel.batches, [[0], [1, 2]]);
    feed.add(frame(3));
    // The decode is over: frames not fed yet (4, 5) start at once, beside the run in flight.
    const all = [0, 1, 2, 3, 4, 5].map((n) => frame(n).image);
    const finished = feed.finish(all);
    assert.deepEqual(kernel.batches, [[0], [1, 2], [3, 4, 5]]);
    await kernel.releaseNext();
    await kernel.releaseNext();
    assert.deepEqual((await finished).map((faces) => faces[0]!.prob), [0, 1, 2, 3, 4, 5]);
  });

  it("without frames fed, runs them all as one batch", async () => {
    const kernel = new HeldRuns();
    const finished = new FaceFrameFeed(kernel.run).finish([0, 1, 2].map((n) => frame(n).image));
    assert.deepEqual(kernel.batches, [[0, 1, 2]]);
    await kernel.releaseNext();
    assert.equal((await finished).length, 3);
  });

  it("a failed run stops the feed; finish() reports it, and a feed never finished leaves nothing unhandled", async () => {
    const kernel = new HeldRuns();
    kernel.failNext = true;
    const feed = new FaceFrameFeed(kernel.run);
    feed.add(frame(0));
    feed.add(frame(1));
    await kernel.releaseNext();
    feed.add(frame(2));
    // Nothing more starts after the failure (frame 1 waits, frame 2 too).
    assert.deepEqual(kernel.batches, [[0]]);
    await assert.rejects(feed.finish([0, 1, 2].map((n) => frame(n).image)), /kernel failed/);
    assert.deepEqual(kernel.batches, [[0]]);

    // A payload whose decode failed: its feed is dropped with a failed run (an unhandled rejection
    // would fail this test run).
    const abandoned = new HeldRuns();
    abandoned.failNext = true;
    new FaceFrameFeed(abandoned.run).add(frame(0));
    await abandoned.releaseNext();
  });
});
