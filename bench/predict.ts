// The models' predict() on media decoded beforehand: the models behind their worker pool (1 worker, 1
// intra-op thread, no batch window), with the worker hop and the reply objects but none of the server's
// own work, to split the end-to-end overhead between the bare model and the full server.

import type { DecodedMedia, DecodeNeeds } from "../src/media/types.js";
import type { BenchmarkRunner } from "../src/models/benchmark.js";
import type { ExpressionModel, ModelFactory } from "../src/models/types.js";
import type { Frame } from "./load.js";

interface Prepared {
  media: DecodedMedia;
  needs: DecodeNeeds;
  windowMs: number;
  /** The frame's models, each with its config; several run concurrently, as in the server. */
  calls: { model: ExpressionModel; config: unknown }[];
}

export async function predictRunner(factories: readonly ModelFactory[], frames: readonly Frame[]): Promise<BenchmarkRunner> {
  const { DEFAULT_LIMITS, parseRequest } = await import("../src/protocol/index.js");
  const { decodeMedia, readPayload } = await import("../src/media/index.js");
  const { ModelRegistry } = await import("../src/models/registry.js");
  const { ConnectionSession } = await import("../src/session/session.js");
  const names = factories.map((f) => f.name);
  // The server's own registry, so that models, their pool and their decode needs are set up as it does.
  const registry = new ModelRegistry(factories, names, { workers: 1, intraOpThreads: 1, batchWindowMs: 0, maxBatch: 1, taskTimeoutMs: 30_000, inlineWhenIdle: true, modelWorkers: {} });
  try {
    await registry.load();
    const prepared: Prepared[] = [];
    for (const f of frames) {
      const parsed = parseRequest(f.bytes.toString("utf8"));
      if (!parsed.ok || parsed.request.data === undefined) continue;
      const request = parsed.request;
      const asked = ModelRegistry.requested(request).filter((name) => names.includes(name));
      if (asked.length === 0) continue;
      const needs = registry.decodeNeeds(request, asked);
      const media = await decodeMedia(readPayload(request.data!, request.raw_text, DEFAULT_LIMITS), needs, DEFAULT_LIMITS);
      prepared.push({ media, needs, windowMs: request.stream_window_ms, calls: asked.map((name) => ({ model: registry.get(name)!, config: request.models[name] })) });
    }
    if (prepared.length === 0) throw new Error(`no valid ${names.join("+")} input among the scenario's frames`);
    const session = new ConnectionSession();
    return {
      method: `${names.join("+")} predict() on pre-decoded media, 1 worker, 1 intra-op thread, no batch window (a model that runs short inputs inline when idle does so here too)`,
      run: (i) => {
        const { media, needs, windowMs, calls } = prepared[i % prepared.length]!;
        const context = session.predictContext(media, needs, windowMs);
        return Promise.all(calls.map(({ model, config }) => model.predict(media, config as never, context)));
      },
      close: () => registry.close(),
    };
  } catch (error) {
    await registry.close();
    throw error;
  }
}
