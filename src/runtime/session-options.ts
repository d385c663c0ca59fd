// The ONNX Runtime session options every model uses, in one place.

import type { InferenceSession } from "onnxruntime-node";

/**
 * One session's options inside a pool worker: `intraOpThreads` threads, operators run in order, warnings
 * off. No CPU memory arena: an arena keeps the peak of the largest batch it ever saw for the life of the
 * worker, so a server's resident memory would depend on which payload happened to be largest; without
 * it, the memory of a large batch goes back after the run.
 */
export function sessionOptions(intraOpThreads: number): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: Math.max(1, intraOpThreads),
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    logSeverityLevel: 3,
    enableCpuMemArena: false,
  };
}
