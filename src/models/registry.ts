// Knows which models exist and which are enabled; answers for them as a set: E0102/E0103 checks, and
// the decoding that the models of one request need together.

import { mergeDecodeNeeds, NO_DECODE_NEEDS, type DecodeNeeds } from "../media/types.js";
import { ErrorCode, MODEL_NAMES, MODEL_SPECS, modelMediaMismatchMessage, type MediaKind, type ModelName, type StreamRequest } from "../protocol/index.js";
import { burstModel } from "./burst/index.js";
import { faceModel } from "./face/index.js";
import { facemeshModel } from "./facemesh/index.js";
import { languageModel } from "./language/index.js";
import { prosodyModel } from "./prosody/index.js";
import { WorkerPool, type WorkerPoolOptions } from "../runtime/worker-pool.js";
import type { ConfigFor, ExpressionModel, FrameFeed, ModelFactory } from "./types.js";

/** Every model Moodwire ships; a model's issue adds its factory here. */
export const MODEL_FACTORIES: readonly ModelFactory[] = [
  burstModel as ModelFactory, faceModel as ModelFactory, facemeshModel as ModelFactory, languageModel as ModelFactory, prosodyModel as ModelFactory,
];

export interface ModelCheckFailure {
  code: ErrorCode;
  message: string;
}

/** How models run: the one worker pool's settings, and per model. */
export interface RuntimeSettings extends WorkerPoolOptions {
  /** A model may run short inputs on the main thread when the pool is idle. */
  inlineWhenIdle: boolean;
  /** Per-model cap on workers running it at once (the rest of the pool stays free for other models). */
  modelWorkers: Partial<Record<ModelName, number>>;
}

interface Enabled {
  factory: ModelFactory;
  model: ExpressionModel;
}

export class ModelRegistry {
  private readonly enabled = new Map<ModelName, Enabled>();
  private readonly pool: WorkerPool;
  private loaded = false;

  constructor(factories: readonly ModelFactory[], enabled: readonly ModelName[], settings: RuntimeSettings) {
    this.pool = new WorkerPool(settings);
    for (const name of enabled) {
      const factory = factories.find((f) => f.name === name);
      if (factory === undefined) throw new Error(`model '${name}' is not available in this build of Moodwire`);
      if (!factory.isInstalled()) throw new Error(`model '${name}' is enabled but its weights are not installed`);
      const model = factory.create({ pool: this.pool, maxWorkers: settings.modelWorkers[name], inlineWhenIdle: settings.inlineWhenIdle });
      this.enabled.set(name, { factory, model });
    }
  }

  /** The installed models, used when no explicit list is configured. */
  static installed(factories: readonly ModelFactory[]): ModelName[] {
    return factories.filter((f) => f.isInstalled()).map((f) => f.name);
  }

  get names(): ModelName[] {
    return [...this.enabled.keys()];
  }

  get ready(): boolean {
    return this.loaded;
  }

  get(name: ModelName): ExpressionModel | undefined {
    return this.enabled.get(name)?.model;
  }

  /** Starts the worker pool (every model's kernel in every worker), then each model's own warm-up. */
  async load(): Promise<void> {
    await this.pool.start();
    await Promise.all([...this.enabled.values()].map(({ model }) => model.load()));
    this.loaded = true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.enabled.values()].map(({ model }) => model.close?.()));
    await this.pool.close();
  }

  /** Worker restarts after crashes and timeouts, and workers still finishing a timed-out run. */
  get workerStats(): { restarts: number; retiring: number } {
    return { restarts: this.pool.restarts, retiring: this.pool.retiringWorkers };
  }

  /** The models a request asks for, in the protocol's order. */
  static requested(request: StreamRequest): ModelName[] {
    return MODEL_NAMES.filter((name) => request.models[name] !== undefined);
  }

  /** Checks that every requested model is enabled (E0103). */
  checkEnabled(requested: readonly ModelName[]): ModelCheckFailure | undefined {
    const missing = requested.find((name) => !this.enabled.has(name));
    if (missing === undefined) return undefined;
    const enabled = this.names.length > 0 ? this.names.join(", ") : "none";
    return {
      code: ErrorCode.ModelUnavailable,
      message: `Model '${missing}' is not enabled on this server (enabled: ${enabled}).`,
    };
  }

  /** Checks that every requested model accepts the detected media kind (E0102). */
  checkMedia(requested: readonly ModelName[], kind: MediaKind): ModelCheckFailure | undefined {
    const mismatch = requested.find((name) => !MODEL_SPECS[name].accepts.includes(kind));
    if (mismatch === undefined) return undefined;
    return { code: ErrorCode.ModelMediaMismatch, message: modelMediaMismatchMessage(mismatch, kind) };
  }

  /** Feeds for the requested models that start on a video's frames while it decodes, by model. */
  frameFeeds(request: StreamRequest, requested: readonly ModelName[]): Map<ModelName, FrameFeed> {
    const feeds = new Map<ModelName, FrameFeed>();
    for (const name of requested) {
      const feed = this.enabled.get(name)!.model.feedFrames?.(request.models[name] as ConfigFor<typeof name>);
      if (feed !== undefined) feeds.set(name, feed);
    }
    return feeds;
  }

  /** What the requested (enabled) models need decoded together, each from its own config. */
  decodeNeeds(request: StreamRequest, requested: readonly ModelName[]): DecodeNeeds {
    return requested.reduce<DecodeNeeds>((needs, name) => {
      const { factory } = this.enabled.get(name)!;
      return mergeDecodeNeeds(needs, factory.needs(request.models[name] as ConfigFor<typeof name>));
    }, NO_DECODE_NEEDS);
  }
}
