// Worker-thread side of the pool: loads every kernel of the pool, in order, and answers batches.

import { parentPort, workerData } from "node:worker_threads";
import { loadKernel, type Kernel, type KernelOptions } from "./kernel.js";
import { transferablesOf } from "./transfer.js";

export interface WorkerInit {
  kernels: { url: string; options: KernelOptions }[];
}

/**
 * A batch for one kernel (its index in WorkerInit.kernels), or `retire`: the pool no longer uses this
 * worker. The worker reads `retire` only once its thread is free, never during a native call
 * (onnxruntime's run holds the thread), so exiting then is safe, whereas terminating a worker from
 * outside during such a call aborts the whole process.
 */
export type WorkerRequest = { id: number; kernel: number; batch: unknown[] } | { type: "retire" };
export type WorkerReply =
  | { type: "ready" }
  | { type: "load-failed"; message: string }
  | { id: number; ok: true; outputs: unknown[] }
  | { id: number; ok: false; message: string };

const port = parentPort;
if (port === null) throw new Error("worker-entry must run inside a worker thread");
const init = workerData as WorkerInit;

const kernels: Kernel<unknown, unknown>[] = [];
try {
  for (const { url, options } of init.kernels) kernels.push(await loadKernel(url, options));
  port.postMessage({ type: "ready" } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ type: "load-failed", message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
  process.exit(1);
}

port.on("message", (request: WorkerRequest) => {
  if ("type" in request) process.exit(0);
  kernels[request.kernel]!.run(request.batch).then(
    // The outputs' buffers move to the main thread: this worker never reads them again.
    (outputs) => port.postMessage({ id: request.id, ok: true, outputs } satisfies WorkerReply, transferablesOf(outputs)),
    (error: unknown) =>
      port.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply),
  );
});
