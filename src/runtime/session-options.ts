// The ONNX Runtime session options every model uses, in one place.

import type { InferenceSession } from "onnxruntime-node";

/**
 * One session's options inside a pool worker: `intraOpThreads` threads, operators run in order, warnings
 * off. `memoryArena: false` drops ONNX Runtime's CPU arena, which otherwise keeps the peak of the largest
 * run for the life of the worker: right for a model whose inputs vary widely in size (long texts), wrong
 * for one that runs the same shapes over and over (without it, every run allocates and faults in its
 * buffers afresh, which the face benchmark's video runs show; README, Face).
 */
export function sessionOptions(intraOpThreads: number, { memoryArena = true } = {}): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: Math.max(1, intraOpThreads),
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    logSeverityLevel: 3,
    enableCpuMemArena: memoryArena,
  };
}
