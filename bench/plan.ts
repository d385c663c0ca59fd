// What one scenario runs, built from the models' benchmarks: the frames sent, the model alone on their
// inputs, and (for a model's own scenario) its predict() and its bars.

import type { BenchmarkFigures, BenchmarkRunner } from "../src/models/benchmark.js";
import type { ModelName } from "../src/protocol/index.js";
import { isReady, protocolModels, skip, type Catalog, type ReadyEntry, type Skipped } from "./catalog.js";
import { frame, type Frame } from "./load.js";
import { predictRunner } from "./predict.js";

export interface Plan {
  models: ModelName[];
  frames: Frame[];
  /** What the frames hold, for the report. */
  inputs: Record<string, string>;
  /** The model alone on the scenario's inputs. */
  model: () => Promise<BenchmarkRunner>;
  /** predict() through the worker pool, to split the overhead. */
  predict?: () => Promise<BenchmarkRunner>;
  bars?: (figures: BenchmarkFigures) => Record<string, boolean>;
}

/**
 * Several models' messages interleaved, each model's cut to its first `perModel`, with the model alone
 * on them: run(i) runs message i's own model on its input.
 */
export function compose(entries: readonly ReadyEntry[], perModel = Infinity): Omit<Plan, "predict" | "bars"> {
  const lists = entries.map((entry) => entry.benchmark.messages.slice(0, perModel));
  const order: { entry: number; index: number }[] = [];
  for (let index = 0; index < Math.max(...lists.map((list) => list.length)); index++) {
    lists.forEach((list, entry) => {
      if (index < list.length) order.push({ entry, index });
    });
  }
  const inputs: Record<string, string> = {};
  entries.forEach(({ benchmark }, k) => {
    const cut = lists[k]!.length < benchmark.messages.length ? `the first ${lists[k]!.length} of ` : "";
    for (const [kind, description] of Object.entries(benchmark.inputs)) {
      // Two models may read the same kind of input: keep both descriptions.
      inputs[kind] = [inputs[kind], cut + description].filter((d) => d !== undefined).join("; ");
    }
  });
  // The models the messages ask for: a benchmark may send one model's messages or several models' together.
  const asked = new Set(lists.flat().flatMap((message) => Object.keys(message.models) as ModelName[]));
  return {
    models: [...asked],
    frames: order.map(({ entry, index }) => frame(lists[entry]![index]!)),
    inputs,
    model: async () => {
      const runners = await Promise.all(entries.map((entry) => entry.benchmark.modelAlone()));
      return {
        method: runners.map((runner) => runner.method).join("; "),
        run: (i) => {
          const { entry, index } = order[i % order.length]!;
          return runners[entry]!.run(index);
        },
        close: async () => {
          await Promise.all(runners.map((runner) => runner.close()));
        },
      };
    },
  };
}

/** A model scenario: every installed model whose benchmark answers `scenario`. */
export function modelPlan(scenario: string, catalog: Catalog): Plan | Skipped {
  const answering = catalog.entries.filter((entry) => entry.benchmark?.scenarios.includes(scenario));
  const ready = answering.filter(isReady);
  if (ready.length === 0) {
    const wanted = answering.length > 0 ? answering.map((entry) => entry.factory.name) : protocolModels(scenario);
    const unavailable = catalog.entries.find((entry) => entry.unavailable !== undefined && wanted.includes(entry.factory.name));
    if (unavailable !== undefined) return skip(`${unavailable.factory.name} benchmark unavailable: ${unavailable.unavailable}`, catalog);
    const withoutBenchmark = catalog.entries.some((entry) => entry.installed && wanted.includes(entry.factory.name));
    return skip(`${wanted.join("/")} model ${withoutBenchmark ? "has no benchmark" : "not installed"}`, catalog);
  }
  const plan = compose(ready);
  const missing = plan.models.filter((name) => !catalog.entries.some((entry) => entry.factory.name === name && entry.installed));
  if (missing.length > 0) return skip(`${missing.join("/")} model not installed (the scenario's messages ask for it)`, catalog);
  const factories = plan.models.map((name) => catalog.entries.find((entry) => entry.factory.name === name)!.factory);
  const withBars = ready.filter((entry) => entry.benchmark.bars !== undefined);
  return {
    ...plan,
    predict: () => predictRunner(factories, plan.frames),
    ...(withBars.length === 0 ? {} : { bars: (figures) => Object.assign({}, ...withBars.map((entry) => entry.benchmark.bars!(figures))) }),
  };
}
