// Worker-thread side of the pool: loads one kernel module and answers batches.

import { parentPort, workerData } from "node:worker_threads";
import { loadKernel, type Kernel, type KernelOptions } from "./kernel.js";

export interface WorkerInit {
  kernelUrl: string;
  options: KernelOptions;
}

/**
 * A batch to run, or `retire`: the pool no longer uses this worker. The worker reads `retire` only once
 * its thread is free, never during a native call (onnxruntime's run holds the thread), so exiting then is
 * safe, whereas terminating a worker from outside during such a call aborts the whole process.
 */
export type WorkerRequest = { id: number; batch: unknown[] } | { type: "retire" };
export type WorkerReply =
  | { type: "ready" }
  | { type: "load-failed"; message: string }
  | { id: number; ok: true; outputs: unknown[] }
  | { id: number; ok: false; message: string };

const port = parentPort;
if (port === null) throw new Error("worker-entry must run inside a worker thread");
const init = workerData as WorkerInit;

let kernel: Kernel<unknown, unknown>;
try {
  kernel = await loadKernel(init.kernelUrl, init.options);
  port.postMessage({ type: "ready" } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ type: "load-failed", message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
  process.exit(1);
}

port.on("message", (request: WorkerRequest) => {
  if ("type" in request) process.exit(0);
  kernel.run(request.batch).then(
    (outputs) => port.postMessage({ id: request.id, ok: true, outputs } satisfies WorkerReply),
    (error: unknown) =>
      port.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply),
  );
});
