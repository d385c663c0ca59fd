// A pool of worker threads running one kernel, with micro-batching across callers.
// Requests queue while every worker is busy and leave as one batch when a worker frees up, so batches
// grow with load and a lone request waits at most `batchWindowMs`. With `inlineWhenIdle`, a request that
// finds the whole pool idle runs on the calling thread instead: no hand-off to a worker and back.

import { Worker } from "node:worker_threads";
import { loadKernel, type Kernel, type KernelOptions } from "./kernel.js";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./worker-entry.js";

export interface WorkerPoolOptions<I> {
  /** URL of a module whose default export is a KernelFactory. */
  kernelUrl: string;
  workers: number;
  kernel: KernelOptions;
  /** Longest wait to fill a batch once a worker is free, milliseconds; 0 sends at once. */
  batchWindowMs: number;
  maxBatch: number;
  /** A batch that takes longer fails with KernelTimeoutError and its worker is replaced. */
  taskTimeoutMs: number;
  /**
   * Which inputs may run on the calling thread when nothing is queued and no worker is busy. That saves
   * the two thread hand-offs (~0.3 ms on the 2-core machine) but blocks the caller's event loop for the
   * whole run, with no timeout, so it should accept only inputs of a few milliseconds. Under load the
   * pool is never idle, so batches and throughput are unchanged. Absent: every input goes to a worker.
   */
  inlineWhenIdle?: (input: I) => boolean;
}

/** The kernel threw, or its worker died, while running a batch. */
export class KernelError extends Error {}
export class KernelTimeoutError extends KernelError {}

interface Pending<I, O> {
  input: I;
  /** Set after a shared batch failed: the input runs alone, so only the culprit fails. */
  solo?: boolean;
  resolve: (output: O) => void;
  reject: (error: Error) => void;
}

interface Slot<I, O> {
  worker: Worker;
  ready: boolean;
  busy: Pending<I, O>[] | null;
  timer: NodeJS.Timeout | null;
  /** Resolves once the worker thread has exited. */
  exited: Promise<void>;
}

const ENTRY_URL = new URL("./worker-entry.js", import.meta.url);

export class WorkerPool<I, O> {
  private readonly slots: Slot<I, O>[] = [];
  /** Workers taken out of service that have not exited yet (a timed-out one finishes its run first). */
  private readonly retiring = new Set<Slot<I, O>>();
  private readonly queue: Pending<I, O>[] = [];
  private batchTimer: NodeJS.Timeout | null = null;
  private nextId = 0;
  private closed = false;
  /** The calling thread's own kernel (inlineWhenIdle), and whether it is running. */
  private local: Kernel<I, O> | undefined;
  private localBusy = false;
  /** Times a worker was replaced after a crash or timeout. */
  restarts = 0;

  constructor(private readonly options: WorkerPoolOptions<I>) {}

  /** Starts every worker; resolves once all have loaded their kernel. */
  async start(): Promise<void> {
    await Promise.all([
      ...Array.from({ length: this.size }, () => this.spawn()),
      ...(this.options.inlineWhenIdle !== undefined ? [this.loadLocal()] : []),
    ]);
  }

  run(input: I): Promise<O> {
    if (this.closed) return Promise.reject(new KernelError("the worker pool is closed"));
    if (this.local !== undefined && this.idle() && this.options.inlineWhenIdle!(input)) return this.runLocal(this.local, input);
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Workers out of service still finishing a run (a timed-out batch is not cut short, see retire). */
  get retiringWorkers(): number {
    return this.retiring.size;
  }

  /** Fails queued work and stops every worker; resolves once every worker thread has exited. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.batchTimer !== null) clearTimeout(this.batchTimer);
    for (const pending of this.queue.splice(0)) pending.reject(new KernelError("the worker pool is closed"));
    for (const slot of [...this.slots]) this.retire(slot, new KernelError("the worker pool is closed"));
    await Promise.all([...this.retiring].map((slot) => slot.exited));
  }

  private get size(): number {
    return Math.max(1, this.options.workers);
  }

  /** Nothing queued, no worker busy and the inline kernel free. */
  private idle(): boolean {
    return !this.localBusy && this.queue.length === 0 && this.slots.every((slot) => slot.busy === null);
  }

  private async loadLocal(): Promise<void> {
    try {
      this.local = await loadKernel<I, O>(this.options.kernelUrl, this.options.kernel);
    } catch (error) {
      throw new KernelError(`kernel failed to load: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async runLocal(kernel: Kernel<I, O>, input: I): Promise<O> {
    this.localBusy = true;
    try {
      const outputs = await kernel.run([input]);
      if (outputs.length !== 1) throw new KernelError(`kernel returned ${outputs.length} outputs for 1 input`);
      return outputs[0]!;
    } catch (error) {
      throw error instanceof KernelError ? error : new KernelError(error instanceof Error ? error.message : String(error));
    } finally {
      this.localBusy = false;
    }
  }

  private spawn(): Promise<void> {
    const init: WorkerInit = { kernelUrl: this.options.kernelUrl, options: this.options.kernel };
    const worker = new Worker(ENTRY_URL, { workerData: init });
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    const slot: Slot<I, O> = { worker, ready: false, busy: null, timer: null, exited };
    this.slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      worker.on("message", (reply: WorkerReply) => {
        if ("type" in reply) {
          if (reply.type === "ready") {
            slot.ready = true;
            resolve();
            this.schedule();
          } else {
            reject(new KernelError(`kernel failed to load: ${reply.message}`));
          }
          return;
        }
        this.finish(slot, reply);
      });
      worker.on("error", (error) => {
        if (!slot.ready) reject(new KernelError(`kernel failed to load: ${error.message}`));
        this.replace(slot, new KernelError(`model worker crashed: ${error.message}`));
      });
      worker.on("exit", (code) => {
        if (!slot.ready) reject(new KernelError(`kernel worker exited with code ${code} while loading`));
        this.replace(slot, new KernelError(`model worker exited with code ${code}`));
      });
    });
  }

  private schedule(): void {
    if (this.queue.length === 0 || this.closed) return;
    const idle = this.slots.find((slot) => slot.ready && slot.busy === null);
    if (idle === undefined) return;
    const window = this.options.batchWindowMs;
    if (window > 0 && this.queue.length < this.options.maxBatch) {
      this.batchTimer ??= setTimeout(() => {
        this.batchTimer = null;
        this.dispatch();
      }, window);
      return;
    }
    this.dispatch();
  }

  private dispatch(): void {
    if (this.batchTimer !== null) {
      clearTimeout(this.batchTimer);
      this.batchTimer = null;
    }
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.busy !== null) continue;
      const batch = this.takeBatch();
      slot.busy = batch;
      const id = this.nextId++;
      slot.timer = setTimeout(
        () => this.replace(slot, new KernelTimeoutError(`model did not answer within ${this.options.taskTimeoutMs} ms`)),
        this.options.taskTimeoutMs,
      );
      slot.worker.postMessage({ id, batch: batch.map((p) => p.input) } satisfies WorkerRequest);
    }
  }

  private finish(slot: Slot<I, O>, reply: Exclude<WorkerReply, { type: string }>): void {
    const batch = slot.busy;
    if (batch === null) return;
    slot.busy = null;
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
    if (reply.ok && reply.outputs.length === batch.length) {
      batch.forEach((pending, i) => pending.resolve(reply.outputs[i] as O));
    } else {
      const message = reply.ok ? `kernel returned ${reply.outputs.length} outputs for ${batch.length} inputs` : reply.message;
      this.fail(batch, new KernelError(message));
    }
    this.schedule();
  }

  /** Up to maxBatch queued inputs from the front; an input marked solo leaves alone. */
  private takeBatch(): Pending<I, O>[] {
    if (this.queue[0]?.solo === true) return this.queue.splice(0, 1);
    let count = 0;
    while (count < this.options.maxBatch && count < this.queue.length && this.queue[count]!.solo !== true) count++;
    return this.queue.splice(0, count);
  }

  /**
   * A failed batch of one is rejected. A failed shared batch goes back to the front of the queue with
   * each input marked solo, so one bad payload cannot fail other connections' payloads.
   */
  private fail(batch: Pending<I, O>[], error: KernelError): void {
    if (batch.length === 1 || this.closed) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const pending of batch) pending.solo = true;
    this.queue.unshift(...batch);
  }

  /** Fails the slot's batch, takes its worker out of service and starts a fresh one in its place. */
  private replace(slot: Slot<I, O>, error: KernelError): void {
    if (!this.slots.includes(slot)) return;
    this.retire(slot, error);
    // A worker that never loaded is not replaced: its kernel would fail the same way again, forever.
    if (this.closed || !slot.ready) return;
    this.restarts++;
    this.refill();
    this.schedule();
  }

  /**
   * Starts workers until the pool has its size again. At most `size` retiring workers may still be running
   * beside it, so inputs that keep timing out cannot pile up threads; past that, refilling waits for one
   * of them to exit.
   */
  private refill(): void {
    while (!this.closed && this.slots.length < this.size && this.slots.length + this.retiring.size < 2 * this.size) {
      this.spawn().catch(() => {
        // A worker that cannot even reload leaves the pool smaller; queued work still drains elsewhere.
      });
    }
  }

  /**
   * Fails the slot's batch and asks its worker to exit. The worker is never terminated from outside:
   * terminating a thread inside onnxruntime's native run aborts the whole process, so a timed-out worker
   * reads the request only once its run returns, and exits then.
   */
  private retire(slot: Slot<I, O>, error: KernelError): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    if (slot.timer !== null) clearTimeout(slot.timer);
    if (slot.busy !== null) this.fail(slot.busy, error);
    slot.busy = null;
    this.retiring.add(slot);
    slot.worker.postMessage({ type: "retire" } satisfies WorkerRequest);
    void slot.exited.then(() => {
      this.retiring.delete(slot);
      if (!slot.ready) return;
      this.refill();
      this.schedule();
    });
  }
}
