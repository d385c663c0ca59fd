// One pool of worker threads for the whole server: every worker loads every model's kernel (one ONNX
// session per model per worker), so enabled models share the threads the machine can give instead of
// each holding its own. Requests queue per kernel while every worker is busy and leave as one batch of
// one kernel when a worker frees up (the kernel whose oldest request waited longest goes first), so
// batches grow with load and a lone request waits at most `batchWindowMs`.
//
// Batches are budgeted by work, not count: a kernel gives each input a weight (frames, samples, tokens;
// 1 by default), a batch holds at most `maxBatch` of weight (a heavier input goes alone), and its time
// limit grows with its weight past that. With a kernel's `inlineWhenIdle`, a request that finds the whole
// pool idle runs on the calling thread instead: no hand-off to a worker and back.

import { Worker } from "node:worker_threads";
import { loadKernel, type Kernel, type KernelOptions } from "./kernel.js";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./worker-entry.js";

export interface WorkerPoolOptions {
  /** Worker threads in total, shared by every kernel. */
  workers: number;
  /** ONNX intra-op threads of each kernel in each worker. */
  intraOpThreads: number;
  /** Longest wait to fill a batch once a worker is free, milliseconds; 0 sends at once. */
  batchWindowMs: number;
  /** Most weight in one batch (with unit weights: most inputs). */
  maxBatch: number;
  /** Time limit of a batch of up to `maxBatch` weight; heavier batches get proportionally more. Past it the
   * batch fails with KernelTimeoutError and its worker is replaced. */
  taskTimeoutMs: number;
  /** Told each time a worker is replaced (a batch timed out or the worker crashed), with why. */
  onRestart?: (reason: string) => void;
}

export interface KernelSpec<I> {
  /** URL of a module whose default export is a KernelFactory. */
  url: string;
  /** Model-specific settings handed to the kernel's load() in every worker (structured-cloned). */
  settings?: Readonly<Record<string, unknown>>;
  /** Work of one input, ≥ 1 (frames, samples, tokens); absent: 1. */
  weight?: (input: I) => number;
  /** Most workers running this kernel at once (a per-model override); absent or undefined: any. */
  maxWorkers?: number | undefined;
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

interface Pending {
  kernel: Entry;
  input: unknown;
  weight: number;
  /** Buffers moved to the worker instead of copied (only for a batch of one: see KernelHandle.run). */
  transfer: readonly ArrayBuffer[];
  /** Arrival order across kernels. */
  order: number;
  /** Set after a shared batch failed: the input runs alone, so only the culprit fails. */
  solo?: boolean;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

interface Entry {
  index: number;
  spec: KernelSpec<unknown>;
  queue: Pending[];
  /** Workers running this kernel now. */
  running: number;
  /** The calling thread's own instance (inlineWhenIdle), and whether it is running. */
  local: Kernel<unknown, unknown> | undefined;
  localBusy: boolean;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  busy: { kernel: Entry; batch: Pending[] } | null;
  timer: NodeJS.Timeout | null;
  /** Resolves once the worker thread has exited. */
  exited: Promise<void>;
}

const ENTRY_URL = new URL("./worker-entry.js", import.meta.url);

/** One kernel's door into the pool. */
export class KernelHandle<I, O> {
  constructor(private readonly pool: WorkerPool, private readonly entry: Entry) {}

  /**
   * Runs one input. `transfer` lists buffers the input owns outright, moved to the worker instead of
   * copied when the input travels alone (a shared batch is copied, as a failed one is re-run input by
   * input). Never list the buffer of a view into shared state (an audio window, a cache): it is detached.
   */
  run(input: I, transfer: readonly ArrayBuffer[] = []): Promise<O> {
    return this.pool.submit(this.entry, input, transfer) as Promise<O>;
  }
}

export class WorkerPool {
  private readonly kernels: Entry[] = [];
  private readonly slots: Slot[] = [];
  /** Workers taken out of service that have not exited yet (a timed-out one finishes its run first). */
  private readonly retiring = new Set<Slot>();
  private batchTimer: NodeJS.Timeout | null = null;
  private nextId = 0;
  private nextOrder = 0;
  private started = false;
  private closed = false;
  /** Times a worker was replaced after a crash or timeout. */
  restarts = 0;

  constructor(private readonly options: WorkerPoolOptions) {}

  /** Adds a kernel; every kernel must be added before start(). */
  add<I, O>(spec: KernelSpec<I>): KernelHandle<I, O> {
    if (this.started) throw new Error("kernels must be added to the worker pool before it starts");
    const entry: Entry = { index: this.kernels.length, spec: spec as KernelSpec<unknown>, queue: [], running: 0, local: undefined, localBusy: false };
    this.kernels.push(entry);
    return new KernelHandle<I, O>(this, entry);
  }

  /** Starts every worker (none when no kernel was added); resolves once all have loaded every kernel. */
  async start(): Promise<void> {
    this.started = true;
    if (this.kernels.length === 0) return;
    await Promise.all([
      ...Array.from({ length: this.size }, () => this.spawn()),
      ...this.kernels.filter((k) => k.spec.inlineWhenIdle !== undefined).map((k) => this.loadLocal(k)),
    ]);
  }

  get queued(): number {
    return this.kernels.reduce((sum, k) => sum + k.queue.length, 0);
  }

  /** Workers out of service still finishing a run (a timed-out batch is not cut short, see retire). */
  get retiringWorkers(): number {
    return this.retiring.size;
  }

  /** Fails queued work and stops every worker; resolves once every worker thread has exited. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.batchTimer !== null) clearTimeout(this.batchTimer);
    for (const kernel of this.kernels) for (const pending of kernel.queue.splice(0)) pending.reject(new KernelError("the worker pool is closed"));
    for (const slot of [...this.slots]) this.retire(slot, new KernelError("the worker pool is closed"));
    await Promise.all([...this.retiring].map((slot) => slot.exited));
  }

  /** KernelHandle.run. */
  submit(kernel: Entry, input: unknown, transfer: readonly ArrayBuffer[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new KernelError("the worker pool is closed"));
    if (!this.started) return Promise.reject(new KernelError("the worker pool has not started"));
    if (kernel.local !== undefined && this.idle() && kernel.spec.inlineWhenIdle!(input)) return this.runLocal(kernel, kernel.local, input);
    const weight = Math.max(1, kernel.spec.weight?.(input) ?? 1);
    return new Promise((resolve, reject) => {
      kernel.queue.push({ kernel, input, weight, transfer, order: this.nextOrder++, resolve, reject });
      this.schedule();
    });
  }

  private get size(): number {
    return Math.max(1, this.options.workers);
  }

  /** Nothing queued, no worker busy and no inline kernel running. */
  private idle(): boolean {
    return this.kernels.every((k) => !k.localBusy && k.queue.length === 0) && this.slots.every((slot) => slot.busy === null);
  }

  private kernelOptions(kernel: Entry): KernelOptions {
    return { intraOpThreads: this.options.intraOpThreads, settings: kernel.spec.settings ?? {} };
  }

  private async loadLocal(kernel: Entry): Promise<void> {
    try {
      kernel.local = await loadKernel(kernel.spec.url, this.kernelOptions(kernel));
    } catch (error) {
      throw new KernelError(`kernel failed to load: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async runLocal(kernel: Entry, local: Kernel<unknown, unknown>, input: unknown): Promise<unknown> {
    kernel.localBusy = true;
    try {
      const outputs = await local.run([input]);
      if (outputs.length !== 1) throw new KernelError(`kernel returned ${outputs.length} outputs for 1 input`);
      return outputs[0];
    } catch (error) {
      throw error instanceof KernelError ? error : new KernelError(error instanceof Error ? error.message : String(error));
    } finally {
      kernel.localBusy = false;
    }
  }

  private spawn(): Promise<void> {
    const init: WorkerInit = { kernels: this.kernels.map((k) => ({ url: k.spec.url, options: this.kernelOptions(k) })) };
    const worker = new Worker(ENTRY_URL, { workerData: init });
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    const slot: Slot = { worker, ready: false, busy: null, timer: null, exited };
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

  /** The kernel to serve next: the one whose oldest request waited longest, among those under their worker cap. */
  private nextKernel(): Entry | undefined {
    let next: Entry | undefined;
    for (const kernel of this.kernels) {
      const head = kernel.queue[0];
      if (head === undefined || kernel.running >= (kernel.spec.maxWorkers ?? Infinity)) continue;
      if (next === undefined || head.order < next.queue[0]!.order) next = kernel;
    }
    return next;
  }

  private schedule(): void {
    if (this.closed) return;
    const kernel = this.nextKernel();
    if (kernel === undefined) return;
    if (!this.slots.some((slot) => slot.ready && slot.busy === null)) return;
    const window = this.options.batchWindowMs;
    if (window > 0 && kernel.queue.reduce((sum, p) => sum + p.weight, 0) < this.options.maxBatch) {
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
      if (!slot.ready || slot.busy !== null) continue;
      const kernel = this.nextKernel();
      if (kernel === undefined) return;
      const batch = this.takeBatch(kernel);
      slot.busy = { kernel, batch };
      kernel.running++;
      const weight = batch.reduce((sum, p) => sum + p.weight, 0);
      const limitMs = Math.round(this.options.taskTimeoutMs * Math.max(1, weight / this.options.maxBatch));
      slot.timer = setTimeout(() => this.replace(slot, new KernelTimeoutError(`model did not answer within ${limitMs} ms`)), limitMs);
      const request: WorkerRequest = { id: this.nextId++, kernel: kernel.index, batch: batch.map((p) => p.input) };
      slot.worker.postMessage(request, batch.length === 1 ? [...batch[0]!.transfer] : []);
    }
  }

  private finish(slot: Slot, reply: Exclude<WorkerReply, { type: string }>): void {
    const busy = slot.busy;
    if (busy === null) return;
    this.release(slot);
    const { batch } = busy;
    if (reply.ok && reply.outputs.length === batch.length) {
      batch.forEach((pending, i) => pending.resolve(reply.outputs[i]));
    } else {
      const message = reply.ok ? `kernel returned ${reply.outputs.length} outputs for ${batch.length} inputs` : reply.message;
      this.fail(batch, new KernelError(message));
    }
    this.schedule();
  }

  /** Frees the slot (and its kernel's running count) without settling its batch. */
  private release(slot: Slot): void {
    if (slot.busy !== null) slot.busy.kernel.running--;
    slot.busy = null;
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
  }

  /** Queued inputs of one kernel from the front, up to maxBatch of weight (at least one); a solo input leaves alone. */
  private takeBatch(kernel: Entry): Pending[] {
    const queue = kernel.queue;
    if (queue[0]!.solo === true) return queue.splice(0, 1);
    let count = 1;
    let weight = queue[0]!.weight;
    while (count < queue.length && queue[count]!.solo !== true && weight + queue[count]!.weight <= this.options.maxBatch) {
      weight += queue[count]!.weight;
      count++;
    }
    return queue.splice(0, count);
  }

  /**
   * A failed batch of one is rejected. A failed shared batch goes back to the front of its kernel's queue
   * with each input marked solo, so one bad payload cannot fail other connections' payloads.
   */
  private fail(batch: Pending[], error: KernelError): void {
    if (batch.length === 1 || this.closed) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const pending of batch) pending.solo = true;
    batch[0]!.kernel.queue.unshift(...batch);
  }

  /** Fails the slot's batch, takes its worker out of service and starts a fresh one in its place. */
  private replace(slot: Slot, error: KernelError): void {
    if (!this.slots.includes(slot)) return;
    this.retire(slot, error);
    // A worker that never loaded is not replaced: its kernels would fail the same way again, forever.
    if (this.closed || !slot.ready) return;
    this.restarts++;
    this.options.onRestart?.(error.message);
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
  private retire(slot: Slot, error: KernelError): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    const batch = slot.busy?.batch;
    this.release(slot);
    if (batch !== undefined) this.fail(batch, error);
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

