import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { threadId } from "node:worker_threads";
import type { AudioInput, ImageInput, MediaOutput } from "./fixtures/media-kernels.js";
import type { TestInput, TestOutput } from "./fixtures/test-kernel.js";
import { KernelError, KernelTimeoutError, WorkerPool, type KernelSpec, type WorkerPoolOptions } from "./worker-pool.js";

const TEST_KERNEL = new URL("./fixtures/test-kernel.js", import.meta.url).href;

type TestPoolOptions = Partial<WorkerPoolOptions> & Pick<KernelSpec<TestInput>, "inlineWhenIdle" | "weight">;

/** A pool with the test kernel alone; `run` goes to that kernel. */
/** Every pool a test made: closed after it even when an assertion failed, or its threads would keep the
 * test process alive and hang the suite. */
const pools: WorkerPool[] = [];

function pool({ inlineWhenIdle, weight, ...overrides }: TestPoolOptions = {}) {
  const p = new WorkerPool({ workers: 1, intraOpThreads: 1, batchWindowMs: 0, maxBatch: 8, taskTimeoutMs: 5000, ...overrides });
  pools.push(p);
  const kernel = p.add<TestInput, TestOutput>({ url: TEST_KERNEL, ...(inlineWhenIdle === undefined ? {} : { inlineWhenIdle }), ...(weight === undefined ? {} : { weight }) });
  return Object.assign(p, { run: (input: TestInput) => kernel.run(input) });
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
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

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
    // The block outlasts a fresh worker's start even on a loaded machine (a 600 ms block did not).
    await assert.rejects(p.run({ value: 1, behaviour: "block", delayMs: 3000, counts }), KernelTimeoutError);
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
      // Long enough that a replacement worker starts and overlaps it even on a loaded machine.
      await assert.rejects(p.run({ value, behaviour: "block", delayMs: 2000, counts }), KernelTimeoutError);
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

describe("WorkerPool shared by several kernels (real onnxruntime sessions on tiny graphs)", () => {
  const IMAGE = new URL("./fixtures/image-kernel.js", import.meta.url).href;
  const AUDIO = new URL("./fixtures/audio-kernel.js", import.meta.url).href;
  const options = (overrides: Partial<WorkerPoolOptions> = {}): WorkerPoolOptions => ({ workers: 1, intraOpThreads: 1, batchWindowMs: 0, maxBatch: 8, taskTimeoutMs: 5000, ...overrides });
  const pixels = (n: number, value = 100) => new Uint8Array(n).fill(value);

  it("runs an image and an audio kernel in the same worker, one session each", async () => {
    const p = new WorkerPool(options());
    const image = p.add<ImageInput, MediaOutput>({ url: IMAGE });
    const audio = p.add<AudioInput, MediaOutput>({ url: AUDIO });
    await p.start();
    const [a, b] = await Promise.all([image.run({ pixels: pixels(30, 90) }), audio.run({ samples: Float32Array.from([0.5, -0.5]) })]);
    assert.deepEqual([a.value, b.value], [90, 0.25]);
    assert.equal(a.threadId, b.threadId);
    assert.notEqual(a.threadId, threadId);
    await p.close();
  });

  it("moves a lone input's buffers to the worker and the outputs' back; a shared batch is copied", async () => {
    const p = new WorkerPool(options({ batchWindowMs: 30 }));
    const audio = p.add<AudioInput, MediaOutput>({ url: AUDIO });
    await p.start();
    const samples = Float32Array.from([0.25, 0.5, 0.75]);
    const alone = await audio.run({ samples }, [samples.buffer]);
    assert.equal(samples.byteLength, 0, "transferred, not copied");
    assert.ok(alone.echo instanceof Float32Array);
    assert.deepEqual([...alone.echo!], [0.25, 0.5, 0.75]);
    const inputs = [1, 2, 3].map((v) => Float32Array.from([v / 10]));
    const outputs = await Promise.all(inputs.map((s) => audio.run({ samples: s }, [s.buffer])));
    assert.ok(outputs.some((o) => o.batchSize > 1));
    assert.ok(inputs.every((s) => s.byteLength === 4), "inputs of a shared batch stay with the caller");
    await p.close();
  });

  it("hands each kernel its own settings", async () => {
    const p = new WorkerPool(options());
    const image = p.add<ImageInput, MediaOutput>({ url: IMAGE, settings: { scale: 3 } });
    const audio = p.add<AudioInput, MediaOutput>({ url: AUDIO });
    await p.start();
    assert.equal((await image.run({ pixels: pixels(4, 10) })).value, 30);
    assert.equal((await audio.run({ samples: Float32Array.from([1]) })).value, 1);
    await p.close();
  });

  it("budgets a batch by weight, not count", async () => {
    const p = new WorkerPool(options({ batchWindowMs: 40, maxBatch: 8 }));
    const image = p.add<ImageInput, MediaOutput>({ url: IMAGE, weight: (input) => input.pixels.length / 100 });
    await p.start();
    const outputs = await Promise.all(Array.from({ length: 6 }, () => image.run({ pixels: pixels(300) })));
    assert.ok(outputs.every((o) => o.batchSize <= 2), `batch sizes ${outputs.map((o) => o.batchSize)}: weight 3 each, at most 8 per batch`);
    assert.ok(outputs.some((o) => o.batchSize === 2));
    await p.close();
  });

  it("gives a heavy input a time limit in proportion to its weight", async () => {
    const p = pool({ taskTimeoutMs: 150, maxBatch: 8, weight: (input) => input.value });
    await p.start();
    assert.equal((await p.run({ value: 40, delayMs: 400 })).doubled, 80, "weight 40 of 8: five times the limit");
    await assert.rejects(p.run({ value: 1, delayMs: 400 }), KernelTimeoutError);
    await p.close();
  });

  it("a crashing kernel fails only its own payload; the other kernel of the pool keeps answering", async () => {
    const p = new WorkerPool(options());
    const image = p.add<ImageInput, MediaOutput>({ url: IMAGE });
    const audio = p.add<AudioInput, MediaOutput>({ url: AUDIO });
    await p.start();
    const results = await Promise.allSettled([image.run({ pixels: pixels(3), crash: true }), audio.run({ samples: Float32Array.from([1]) })]);
    assert.deepEqual(results.map((r) => r.status), ["rejected", "fulfilled"]);
    assert.equal((await image.run({ pixels: pixels(3, 7) })).value, 7);
    assert.equal(p.restarts, 1);
    await p.close();
  });

  it("caps the workers one kernel may hold (a per-model override), leaving the rest to others", async () => {
    const p = new WorkerPool(options({ workers: 2 }));
    const capped = p.add<TestInput, TestOutput>({ url: TEST_KERNEL, maxWorkers: 1 });
    const image = p.add<ImageInput, MediaOutput>({ url: IMAGE });
    await p.start();
    const counts = blockCounts();
    const slow = [1, 2, 3].map((value) => capped.run({ value, behaviour: "block", delayMs: 150, counts }));
    assert.equal((await image.run({ pixels: pixels(3, 5) })).value, 5, "the other worker stays free for the image kernel");
    await Promise.all(slow);
    assert.equal(Atomics.load(counts, 2), 1, "never two runs of the capped kernel at once");
    await p.close();
  });
});
