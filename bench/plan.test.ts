import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BenchmarkMessage, ModelBenchmark } from "../src/models/benchmark.js";
import type { ModelFactory } from "../src/models/types.js";
import { MODEL_NAMES, MODEL_SPECS, type ModelName } from "../src/protocol/index.js";
import { modelScenarioNames, type Catalog, type CatalogEntry } from "./catalog.js";
import { mixedPlan } from "./mixed.js";
import { modelPlan } from "./plan.js";

/** A model the protocol does not know, so that no real model is named here. */
function entry(name: string, count: number, options: { installed?: boolean; scenarios?: string[]; bars?: boolean } = {}): CatalogEntry & { calls: number[] } {
  const calls: number[] = [];
  const messages: BenchmarkMessage[] = Array.from({ length: count }, (_, i) => ({ data: `${name} ${i}`, raw_text: true, models: { [name]: {} } }));
  const benchmark: ModelBenchmark = {
    scenarios: options.scenarios ?? [name],
    messages,
    inputs: { text: `${count} ${name} texts` },
    modelAlone: async () => ({ method: `${name} alone`, run: async (i) => calls.push(i), close: async () => undefined }),
    ...(options.bars === true ? { bars: (figures) => ({ [`${name}_fast`]: figures.modelP50Ms < 1 }) } : {}),
  };
  const factory = { name: name as ModelName, isInstalled: () => options.installed ?? true, benchmark: async () => benchmark } as unknown as ModelFactory;
  return { factory, installed: options.installed ?? true, benchmark, calls };
}

const texts = (frames: readonly { bytes: Buffer }[]) => frames.map((f) => (JSON.parse(f.bytes.toString("utf8")) as { data?: string }).data);

describe("bench scenarios", () => {
  it("accepts the benchmarks' scenario names and the protocol's model names and media kinds", () => {
    const names = modelScenarioNames({ entries: [entry("alpha", 1, { scenarios: ["a", "alias"] })] });
    for (const name of ["a", "alias", ...MODEL_NAMES, ...MODEL_NAMES.flatMap((n) => MODEL_SPECS[n].accepts)]) assert.ok(names.includes(name), name);
  });

  it("skips a protocol model that no factory benchmarks, naming it", () => {
    const catalog: Catalog = { entries: [], error: "boom" };
    assert.deepEqual(modelPlan(MODEL_NAMES[0], catalog), { skipped: `${MODEL_NAMES[0]} model not installed (registry failed to load: boom)` });
    const kind = MODEL_SPECS[MODEL_NAMES[0]].accepts[0]!;
    const readers = MODEL_NAMES.filter((n) => MODEL_SPECS[n].accepts.includes(kind));
    assert.deepEqual(modelPlan(kind, { entries: [] }), { skipped: `${readers.join("/")} model not installed` });
  });

  it("skips a benchmarked model that is not installed", () => {
    assert.deepEqual(modelPlan("alpha", { entries: [entry("alpha", 2, { installed: false })] }), { skipped: "alpha model not installed" });
  });

  it("runs a model's own messages, the model alone on the same inputs, and its bars", async () => {
    const alpha = entry("alpha", 3, { scenarios: ["a", "alias"], bars: true });
    const plan = modelPlan("alias", { entries: [alpha, entry("beta", 2)] });
    assert.ok(!("skipped" in plan));
    assert.deepEqual(plan.models, ["alpha"]);
    assert.deepEqual(texts(plan.frames), ["alpha 0", "alpha 1", "alpha 2"]);
    assert.deepEqual(plan.inputs, { text: "3 alpha texts" });
    const runner = await plan.model();
    for (let i = 0; i < 4; i++) await runner.run(i);
    assert.deepEqual(alpha.calls, [0, 1, 2, 0]);
    assert.ok(plan.predict !== undefined);
    assert.deepEqual(plan.bars?.({ modelP50Ms: 0.5, e2eP50Ms: 0, overheadRatio: 0, throughputPerS: 0, eventLoopP99Ms: 0, rssGrowthMb: 0 }), { alpha_fast: true });
  });

  it("mixed interleaves every installed model's first 16 messages, then 4 bad frames", async () => {
    const alpha = entry("alpha", 20);
    const beta = entry("beta", 2);
    const plan = mixedPlan({ entries: [alpha, beta, entry("gamma", 5, { installed: false })] });
    assert.ok(!("skipped" in plan));
    assert.deepEqual(plan.models, ["alpha", "beta"]);
    assert.deepEqual(texts(plan.frames.slice(0, 5)), ["alpha 0", "beta 0", "alpha 1", "beta 1", "alpha 2"]);
    assert.equal(plan.frames.length, 16 + 2 + 4);
    assert.deepEqual(plan.frames.map((f) => f.expect).slice(-5), ["predictions", "error", "error", "error", "error"]);
    assert.equal(plan.inputs.text, "the first 16 of 20 alpha texts; 2 beta texts");
    assert.equal(plan.predict, undefined);
    assert.equal(plan.bars, undefined);
    // The model alone follows the frames: message k runs on its own model, with its own index.
    const runner = await plan.model();
    for (let i = 0; i < 5; i++) await runner.run(i);
    assert.deepEqual(alpha.calls, [0, 1, 2]);
    assert.deepEqual(beta.calls, [0, 1]);
  });

  it("mixed is skipped when no installed model has a benchmark", () => {
    assert.deepEqual(mixedPlan({ entries: [entry("alpha", 1, { installed: false })] }), { skipped: "no installed model has a benchmark" });
  });
});
