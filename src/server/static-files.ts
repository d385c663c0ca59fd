// Serves the built web page and its assets (GET / and the files beside it) from one directory, read-only.
// Paths are resolved inside that directory and never leave it; unknown extensions are refused, so
// nothing but web assets is ever served from it.

import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

/** Content types of the files a built page consists of; anything else is not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

export class StaticFiles {
  constructor(private readonly root: string) {}

  /** The file for a URL path ("/" is index.html), or undefined when there is none to serve. */
  async get(urlPath: string): Promise<StaticFile | undefined> {
    let relative: string;
    try {
      relative = decodeURIComponent(urlPath === "/" ? "/index.html" : urlPath);
    } catch {
      return undefined;
    }
    const contentType = CONTENT_TYPES[extname(relative).toLowerCase()];
    if (contentType === undefined || relative.includes("\0")) return undefined;
    const root = normalize(this.root.endsWith(sep) ? this.root : this.root + sep);
    const path = normalize(join(root, relative));
    if (!path.startsWith(root)) return undefined;
    try {
      if (!(await stat(path)).isFile()) return undefined;
      return { body: await readFile(path), contentType };
    } catch {
      return undefined;
    }
  }
}
