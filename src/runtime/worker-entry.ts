// Worker-thread side of the pool: loads one kernel module and answers batches.

import { parentPort, workerData } from "node:worker_threads";
import { loadKernel, type Kernel, type KernelOptions } from "./kernel.js";

export interface WorkerInit {
  kernelUrl: string;
  options: KernelOptions;
}

export type WorkerRequest = { id: number; batch: unknown[] };
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
  kernel.run(request.batch).then(
    (outputs) => port.postMessage({ id: request.id, ok: true, outputs } satisfies WorkerReply),
    (error: unknown) =>
      port.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply),
  );
});
