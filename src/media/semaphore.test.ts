// The bounded semaphore alone (no ffmpeg): slots, the order waiters get them, and the two refusals.
// ffmpeg.test.ts checks the same cap on real decoder processes.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Semaphore, type Refusal } from "./semaphore.js";

class Refused extends Error {
  constructor(readonly why: Refusal) {
    super(why);
  }
}

function semaphore(limit: number, maxQueued = 8, maxWaitMs = 60_000): Semaphore {
  return new Semaphore(limit, maxQueued, maxWaitMs, (why) => new Refused(why));
}

/** Lets settled promises run their callbacks. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("Semaphore", () => {
  it("grants up to the limit at once, then queues; a release hands the slot to the oldest waiter", async () => {
    const s = semaphore(2);
    await s.acquire();
    await s.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => s.acquire().then(() => order.push(n)));
    await settle();
    assert.deepEqual([s.running, s.queued], [2, 3]);
    s.release();
    await settle();
    assert.deepEqual(order, [1]);
    assert.deepEqual([s.running, s.queued], [2, 2]);
    s.release();
    s.release();
    await Promise.all(waiters);
    assert.deepEqual(order, [1, 2, 3]);
    assert.deepEqual([s.running, s.queued], [2, 0]);
  });

  it("refuses at once ('full') when maxQueued callers already wait", async () => {
    const s = semaphore(1, 1);
    await s.acquire();
    const waiting = s.acquire();
    await assert.rejects(s.acquire(), (error: unknown) => error instanceof Refused && error.why === "full");
    assert.equal(s.queued, 1);
    s.release();
    await waiting;
    assert.deepEqual([s.running, s.queued], [1, 0]);
  });

  it("refuses ('timeout') a caller that waited maxWaitMs, and leaves the line without taking a slot", async () => {
    const s = semaphore(1, 8, 5);
    await s.acquire();
    await assert.rejects(s.acquire(), (error: unknown) => error instanceof Refused && error.why === "timeout");
    assert.deepEqual([s.running, s.queued], [1, 0]);
    s.release();
    assert.equal(s.running, 0, "the slot is not handed to the caller that gave up");
  });

  it("a raised limit wakes waiters at once; a lowered one lets running callers finish and wakes no one", async () => {
    const s = semaphore(1);
    await s.acquire();
    const woken = [s.acquire(), s.acquire()];
    s.setLimit(3);
    await Promise.all(woken);
    assert.deepEqual([s.running, s.queued], [3, 0]);
    s.setLimit(1);
    const waiting = s.acquire();
    s.release();
    s.release();
    await settle();
    assert.deepEqual([s.running, s.queued], [1, 1], "still at the lowered limit");
    s.release();
    await waiting;
    assert.deepEqual([s.running, s.queued], [1, 0]);
  });
});
