import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { threadId } from "node:worker_threads";
import type { TestInput, TestOutput } from "./fixtures/test-kernel.js";
import { KernelError, KernelTimeoutError, WorkerPool, type WorkerPoolOptions } from "./worker-pool.js";

function pool(overrides: Partial<WorkerPoolOptions<TestInput>> = {}) {
  return new WorkerPool<TestInput, TestOutput>({
    kernelUrl: new URL("./fixtures/test-kernel.js", import.meta.url).href,
    workers: 1,
    kernel: { intraOpThreads: 1 },
    batchWindowMs: 0,
    maxBatch: 8,
    taskTimeoutMs: 5000,
    ...overrides,
  });
}

/** Shared with the kernel's `block` behaviour: [finished, in progress, most at once]. */
function blockCounts(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
}

async function waitFor(condition: () => boolean, limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("WorkerPool", () => {
  it("answers every request in a worker thread", async () => {
    const p = pool();
    await p.start();
    const outputs = await Promise.all([1, 2, 3].map((value) => p.run({ value })));
    assert.deepEqual(outputs.map((o) => o.doubled), [2, 4, 6]);
    assert.ok(outputs.every((o) => o.threadId !== threadId));
    await p.close();
  });

  it("with inlineWhenIdle, runs a request on the calling thread only when the whole pool is idle", async () => {
    const p = pool({ inlineWhenIdle: (input) => input.value < 100 });
    await p.start();
    const alone = await p.run({ value: 1 });
    assert.deepEqual([alone.doubled, alone.threadId], [2, threadId]);
    // The first of these runs inline; the second finds the inline kernel busy and goes to the worker.
    const inline = p.run({ value: 2 });
    const slow = p.run({ value: 3, delayMs: 300 });
    assert.equal((await inline).threadId, threadId);
    // The worker is still busy with `slow`, so the pool is not idle: this one queues for the worker.
    const queued = await p.run({ value: 4 });
    assert.deepEqual([(await slow).doubled, queued.doubled], [6, 8]);
    assert.ok((await slow).threadId !== threadId && queued.threadId !== threadId);
    assert.equal((await p.run({ value: 5 })).threadId, threadId, "idle again");
    assert.ok((await p.run({ value: 100 })).threadId !== threadId, "an input the predicate refuses goes to a worker");
    await p.close();
  });

  it("with inlineWhenIdle, turns an inline kernel exception into KernelError and keeps serving", async () => {
    const p = pool({ inlineWhenIdle: (input) => input.value < 100 });
    await p.start();
    await assert.rejects(p.run({ value: 1, behaviour: "throw" }), KernelError);
    assert.equal((await p.run({ value: 2 })).doubled, 4);
    await p.close();
  });

  it("batches requests that queue while the worker is busy", async () => {
    const p = pool({ batchWindowMs: 20 });
    await p.start();
    const outputs = await Promise.all(Array.from({ length: 8 }, (_, value) => p.run({ value })));
    assert.ok(outputs.some((o) => o.batchSize > 1));
    assert.ok(outputs.every((o) => o.batchSize <= 8));
    await p.close();
  });

  it("turns a kernel exception into KernelError and keeps serving", async () => {
    const p = pool();
    await p.start();
    await assert.rejects(p.run({ value: 1, behaviour: "throw" }), KernelError);
    assert.equal((await p.run({ value: 2 })).doubled, 4);
    await p.close();
  });

  it("restarts a worker that dies", async () => {
    const p = pool();
    await p.start();
    await assert.rejects(p.run({ value: 1, behaviour: "exit" }), KernelError);
    assert.equal((await p.run({ value: 5 })).doubled, 10);
    assert.equal(p.restarts, 1);
    await p.close();
  });

  it("times out a hung batch and replaces the worker", async () => {
    const p = pool({ taskTimeoutMs: 200 });
    await p.start();
    await assert.rejects(p.run({ value: 1, behaviour: "hang" }), KernelTimeoutError);
    assert.equal((await p.run({ value: 7 })).doubled, 14);
    await p.close();
  });

  it("lets a timed-out run that holds its thread finish instead of terminating it, and serves meanwhile", async () => {
    const p = pool({ taskTimeoutMs: 150 });
    await p.start();
    const counts = blockCounts();
    await assert.rejects(p.run({ value: 1, behaviour: "block", delayMs: 600, counts }), KernelTimeoutError);
    assert.equal(p.retiringWorkers, 1);
    // A fresh worker answers while the old one is still inside its run.
    assert.equal((await p.run({ value: 2 })).doubled, 4);
    assert.equal(Atomics.load(counts, 0), 0);
    await waitFor(() => p.retiringWorkers === 0);
    assert.equal(Atomics.load(counts, 0), 1, "the run was not cut short");
    assert.equal(p.restarts, 1);
    await p.close();
  });

  it("runs at most twice its size in threads when inputs keep timing out", async () => {
    const p = pool({ taskTimeoutMs: 100 });
    await p.start();
    const counts = blockCounts();
    for (let value = 0; value < 4; value++) {
      await assert.rejects(p.run({ value, behaviour: "block", delayMs: 500, counts }), KernelTimeoutError);
    }
    await p.close();
    assert.equal(Atomics.load(counts, 0), 4, "every run went to its end");
    assert.equal(Atomics.load(counts, 2), 2, "never more than two at once with one worker");
  });

  it("close waits for a run that holds its thread, without cutting it short", async () => {
    const p = pool();
    await p.start();
    const counts = blockCounts();
    const running = assert.rejects(p.run({ value: 1, behaviour: "block", delayMs: 400, counts }), KernelError);
    await waitFor(() => Atomics.load(counts, 1) === 1);
    await p.close();
    await running;
    assert.equal(Atomics.load(counts, 0), 1);
    assert.equal(p.retiringWorkers, 0);
  });

  it("fails only the bad input of a shared batch", async () => {
    for (const behaviour of ["throw", "exit"] as const) {
      const p = pool({ batchWindowMs: 20 });
      await p.start();
      const results = await Promise.allSettled([p.run({ value: 1 }), p.run({ value: 2, behaviour }), p.run({ value: 3 })]);
      assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"], behaviour);
      await p.close();
    }
  });

  it("close stops every worker", async () => {
    const p = pool({ workers: 3 });
    await p.start();
    await p.close();
    assert.equal((p as unknown as { slots: unknown[] }).slots.length, 0);
  });

  it("rejects work after close", async () => {
    const p = pool();
    await p.start();
    await p.close();
    await assert.rejects(p.run({ value: 1 }), KernelError);
  });
});
