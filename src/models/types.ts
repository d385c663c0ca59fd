// The one interface every model implements. The server core knows models only through it: what media
// a model reads comes from the protocol's model table (MODEL_SPECS), what it needs decoded from its
// factory, and its answers from predict().

import type { DecodedMedia, DecodeNeeds, VideoFrame } from "../media/types.js";
import type { ModelConfigs, ModelName, ModelOutput, PredictionsByModel } from "../protocol/index.js";
import type { WorkerPool } from "../runtime/worker-pool.js";
import type { PredictContext } from "../session/types.js";
import type { ModelBenchmark } from "./benchmark.js";

export type { PredictContext };

/** A model's validated config, defaults applied. */
export type ConfigFor<N extends ModelName> = NonNullable<ModelConfigs[N]>;

/** A model's work on a video's frames, started while the payload still decodes. */
export interface FrameFeed {
  /** The payload's next decoded frame (in order, each once). */
  add(frame: VideoFrame): void;
}

export interface ExpressionModel<N extends ModelName = ModelName> {
  readonly name: N;
  /** Loads weights and runs one warm-up inference; resolves when the model can serve. */
  load(): Promise<void>;
  /**
   * Optional: a feed that starts on a video payload's frames as they are decoded, for a request with
   * `config`. predict() then gets it back with the whole media and finishes what it started.
   */
  feedFrames?(config: ConfigFor<N>): FrameFeed;
  /** The model's answer for one payload; `feed` is what feedFrames() returned for it, if it was called. */
  predict(media: DecodedMedia, config: ConfigFor<N>, context: PredictContext, feed?: FrameFeed): Promise<ModelOutput<PredictionsByModel[N]>>;
  /** Releases what the model holds beyond the shared worker pool (the registry stops the pool); absent
   * when it holds nothing else, as for every model whose compute runs in the pool. */
  close?(): Promise<void>;
}

/** Builds a model from the server's runtime settings; each model folder exports one. */
export interface ModelFactory<N extends ModelName = ModelName> {
  readonly name: N;
  /** What this model needs decoded for a request with `config` (video frames at a rate, audio, the window). */
  needs(config: ConfigFor<N>): DecodeNeeds;
  /** False when the model's weights are not installed; the server then leaves it disabled. */
  isInstalled(): boolean;
  /** Why the model is not installed and how to install it (logged at start); absent: its files are committed. */
  notInstalledReason?(): string;
  create(options: ModelRuntimeOptions): ExpressionModel<N>;
  /** How `npm run bench` measures this model (one benchmark per kind of input); absent when it has none. */
  benchmark?(): Promise<ModelBenchmark | ModelBenchmark[]>;
}

export interface ModelRuntimeOptions {
  /** The server's one pool of worker threads, shared by every model: a model adds its kernel to it when
   * created (the pool starts after every model was created). */
  pool: WorkerPool;
  /** Most workers running this model at once (`--model-workers`); undefined: any. */
  maxWorkers: number | undefined;
  /** A model may run a short input on the main thread when the pool is idle (false: workers only). */
  inlineWhenIdle: boolean;
}
