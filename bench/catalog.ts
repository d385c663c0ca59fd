// The models of this build as the bench sees them: only through MODEL_FACTORIES and each factory's
// benchmark(), so that no bench file names a model. Models not shipped yet have no factory; their
// names (and the media kinds models read) still come from the protocol's model table, so that asking
// for their scenario reports it skipped rather than unknown.

import type { BenchmarkLoad, ModelBenchmark } from "../src/models/benchmark.js";
import type { ModelFactory } from "../src/models/types.js";
import { MODEL_NAMES, MODEL_SPECS, type ModelName } from "../src/protocol/index.js";

/** One benchmark of a model (a model with several kinds of input has an entry for each), or the model without one. */
export interface CatalogEntry {
  factory: ModelFactory;
  installed: boolean;
  benchmark?: ModelBenchmark;
  /** Why the model's benchmark could not be built (e.g. its sample media are absent). */
  unavailable?: string;
}

/** An entry that can run: installed, with a benchmark. */
export type ReadyEntry = CatalogEntry & { benchmark: ModelBenchmark };

export interface Catalog {
  entries: CatalogEntry[];
  /** Why the registry itself could not be loaded, if it could not. */
  error?: string;
}

export interface Skipped {
  skipped: string;
}

export async function loadCatalog(): Promise<Catalog> {
  let factories: readonly ModelFactory[];
  try {
    // Imported here so that a model that fails to import is reported in the skipped line, not as a crash.
    factories = (await import("../src/models/registry.js")).MODEL_FACTORIES;
  } catch (error) {
    return { entries: [], error: error instanceof Error ? error.message : String(error) };
  }
  const entries = await Promise.all(factories.map(async (factory): Promise<CatalogEntry[]> => {
    const installed = isInstalled(factory);
    if (factory.benchmark === undefined) return [{ factory, installed }];
    try {
      const benchmarks = await factory.benchmark();
      return (Array.isArray(benchmarks) ? benchmarks : [benchmarks]).map((benchmark) => ({ factory, installed, benchmark }));
    } catch (error) {
      return [{ factory, installed, unavailable: error instanceof Error ? error.message : String(error) }];
    }
  }));
  return { entries: entries.flat() };
}

function isInstalled(factory: ModelFactory): boolean {
  try {
    return factory.isInstalled();
  } catch {
    return false;
  }
}

/** The load settings a scenario's benchmarks ask for (the first that answers it). */
export function scenarioDefaults(scenario: string, catalog: Catalog): Partial<BenchmarkLoad> {
  return catalog.entries.find((entry) => entry.benchmark?.scenarios.includes(scenario))?.benchmark?.defaults ?? {};
}

export function isReady(entry: CatalogEntry): entry is ReadyEntry {
  return entry.installed && entry.benchmark !== undefined;
}

export function skip(reason: string, catalog: Catalog): Skipped {
  return { skipped: `${reason}${catalog.error === undefined ? "" : ` (registry failed to load: ${catalog.error})`}` };
}

/** Scenario names of single models: the benchmarks' own, then every model name and media kind of the protocol. */
export function modelScenarioNames(catalog: Catalog): string[] {
  const declared = catalog.entries.flatMap((entry) => entry.benchmark?.scenarios ?? []);
  const kinds = MODEL_NAMES.flatMap((name) => MODEL_SPECS[name].accepts);
  return [...new Set<string>([...declared, ...MODEL_NAMES, ...kinds])];
}

/** The models a scenario name means when no benchmark declares it: the model of that name, or those reading that media kind. */
export function protocolModels(scenario: string): ModelName[] {
  return MODEL_NAMES.filter((name) => name === scenario || (MODEL_SPECS[name].accepts as readonly string[]).includes(scenario));
}
