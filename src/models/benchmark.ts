// How a model is benchmarked (`npm run bench`). The bench knows models only through their factory's
// benchmark(): the scenario names a model answers, the client messages of its end-to-end runs and how
// to time the model alone. Serving never calls it, so a model's bench code stays unloaded in the server.

import type { ModelName } from "../protocol/index.js";

/** One client message as sent on the wire (the bench serialises it once). */
export interface BenchmarkMessage {
  data: string;
  raw_text?: boolean;
  models: { [N in ModelName]?: Record<string, unknown> };
}

/** Something timed one call at a time, in the bench process. */
export interface BenchmarkRunner {
  /** How it runs, printed beside its figures. */
  readonly method: string;
  /** One call on the input of message `i` (modulo the number of messages). */
  run(i: number): Promise<unknown>;
  close(): Promise<void>;
}

/** The headline figures of a run, for a model's pass/fail bars. */
export interface BenchmarkFigures {
  modelP50Ms: number;
  e2eP50Ms: number;
  overheadRatio: number;
  throughputPerS: number;
  eventLoopP99Ms: number;
  rssGrowthMb: number;
  /** With a pace (streaming in real time): sends that were late because a reply had not come yet. */
  lateSends?: number;
}

export interface ModelBenchmark {
  /** Names of the scenarios (`npm run bench -- <name>`) that run this model's messages. */
  readonly scenarios: readonly string[];
  /** The end-to-end requests, each answered with predictions (or a no-detection warning). */
  readonly messages: readonly BenchmarkMessage[];
  /** What the messages hold, keyed by input kind, for the report. */
  readonly inputs: Readonly<Record<string, string>>;
  /** The model alone on the messages' inputs, outside the server: the figure the overhead is measured against. */
  modelAlone(): Promise<BenchmarkRunner>;
  /** The bars the model's scenario is held to, by name. */
  bars?(figures: BenchmarkFigures): Record<string, boolean>;
  /** Load settings for this benchmark's scenarios when the command line gives none (heavy inputs need fewer). */
  defaults?: Partial<BenchmarkLoad>;
}

/** How much a run sends: the bench's own defaults unless a benchmark or the command line says otherwise. */
export interface BenchmarkLoad {
  payloads: number;
  connections: number;
  sequential: number;
  modelIterations: number;
  /**
   * Milliseconds between one connection's sends in the load phase: a client streaming chunks of that
   * length in real time (the next is sent on schedule once the previous reply is in). Unset: each
   * connection sends its next payload as soon as the previous is answered.
   */
  paceMs?: number;
}
