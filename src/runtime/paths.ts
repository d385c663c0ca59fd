// Locations inside the installed package, independent of the working directory.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The package root: this file is compiled to dist/src/runtime/paths.js. */
export const PACKAGE_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The package's name and version, from its package.json. */
export function packageInfo(): { name: string; version: string } {
  const { name, version } = JSON.parse(readFileSync(`${PACKAGE_ROOT}package.json`, "utf8")) as { name: string; version: string };
  return { name, version };
}

/** Trained weights committed with the package, one folder per model. */
export function modelDirectory(model: string): string {
  return `${PACKAGE_ROOT}models/${model}/`;
}

/** A folder from the environment, ending in "/" however it was written (paths are joined onto it). */
function folderFromEnv(name: string, fallback: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  return value.endsWith("/") ? value : `${value}/`;
}

/** The shared data folder used by evaluations and data-dependent tests (MOODWIRE_SHARED), with a trailing "/". */
export function sharedDirectory(): string {
  return folderFromEnv("MOODWIRE_SHARED", `${PACKAGE_ROOT}../shared/`);
}

/** Third-party weights fetched at install time (scripts/fetch-models.mjs), never committed. */
export function vendorDirectory(): string {
  return folderFromEnv("MOODWIRE_VENDOR_DIR", `${PACKAGE_ROOT}models/vendor/`);
}
