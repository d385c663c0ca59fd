// Knows which models exist, which are enabled, and which media each accepts (for E0102/E0103).

import { ErrorCode, MODEL_NAMES, modelMediaMismatchMessage, type MediaKind, type ModelName } from "../protocol/index.js";
import { languageModel } from "./language/index.js";
import type { ExpressionModel, ModelFactory, ModelRuntimeOptions } from "./types.js";

/** Every model Moodwire ships; a model's issue adds its factory here. */
export const MODEL_FACTORIES: readonly ModelFactory[] = [languageModel as ModelFactory];

export interface ModelCheckFailure {
  code: ErrorCode;
  message: string;
}

export class ModelRegistry {
  private readonly models = new Map<ModelName, ExpressionModel>();
  private readonly accepted = new Map<ModelName, readonly MediaKind[]>();
  private loaded = false;

  constructor(factories: readonly ModelFactory[], enabled: readonly ModelName[], options: ModelRuntimeOptions) {
    for (const name of enabled) {
      const factory = factories.find((f) => f.name === name);
      if (factory === undefined) throw new Error(`model '${name}' is not available in this build of Moodwire`);
      if (!factory.isInstalled()) throw new Error(`model '${name}' is enabled but its weights are not installed`);
      this.models.set(name, factory.create(options));
      this.accepted.set(name, factory.accepts);
    }
  }

  /** The installed models, used when no explicit list is configured. */
  static installed(factories: readonly ModelFactory[]): ModelName[] {
    return factories.filter((f) => f.isInstalled()).map((f) => f.name);
  }

  get names(): ModelName[] {
    return [...this.models.keys()];
  }

  get ready(): boolean {
    return this.loaded;
  }

  get(name: ModelName): ExpressionModel | undefined {
    return this.models.get(name);
  }

  async load(): Promise<void> {
    await Promise.all([...this.models.values()].map((m) => m.load()));
    this.loaded = true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.models.values()].map((m) => m.close()));
  }

  /** Checks that every requested model is enabled (E0103). */
  checkEnabled(requested: readonly ModelName[]): ModelCheckFailure | undefined {
    const missing = requested.find((name) => !this.models.has(name));
    if (missing === undefined) return undefined;
    const enabled = this.names.length > 0 ? this.names.join(", ") : "none";
    return {
      code: ErrorCode.ModelUnavailable,
      message: `Model '${missing}' is not enabled on this server (enabled: ${enabled}).`,
    };
  }

  /** Checks that every requested model accepts the detected media kind (E0102). */
  checkMedia(requested: readonly ModelName[], kind: MediaKind): ModelCheckFailure | undefined {
    const mismatch = requested.find((name) => !(this.accepted.get(name) ?? []).includes(kind));
    if (mismatch === undefined) return undefined;
    return { code: ErrorCode.ModelMediaMismatch, message: modelMediaMismatchMessage(mismatch, kind) };
  }
}

export function isModelName(value: string): value is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(value);
}
