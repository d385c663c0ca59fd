// The models of this build as the bench sees them: only through MODEL_FACTORIES and each factory's
// benchmark(), so that no bench file names a model. Models not shipped yet have no factory; their
// names (and the media kinds models read) still come from the protocol's model table, so that asking
// for their scenario reports it skipped rather than unknown.

import type { ModelBenchmark } from "../src/models/benchmark.js";
import type { ModelFactory } from "../src/models/types.js";
import { MODEL_NAMES, MODEL_SPECS, type ModelName } from "../src/protocol/index.js";

export interface CatalogEntry {
  factory: ModelFactory;
  installed: boolean;
  benchmark?: ModelBenchmark;
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
  return { entries: await Promise.all(factories.map(async (factory) => ({ factory, installed: isInstalled(factory), benchmark: await factory.benchmark?.() }))) };
}

function isInstalled(factory: ModelFactory): boolean {
  try {
    return factory.isInstalled();
  } catch {
    return false;
  }
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
