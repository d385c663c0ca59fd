// API-key authentication at the handshake (spec §1.2): header or query parameter, constant-time compare.

import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

const QUERY_KEY_NAMES = ["apikey", "api_key", "apiKey"] as const;

/** The key a client presented, from `X-Hume-Api-Key` or the `apikey`/`api_key`/`apiKey` query parameters. */
export function presentedKey(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers["x-hume-api-key"];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader !== undefined && fromHeader !== "") return fromHeader;
  for (const name of QUERY_KEY_NAMES) {
    const value = url.searchParams.get(name);
    if (value !== null && value !== "") return value;
  }
  return undefined;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.filter((k) => k.length > 0).map(digest);
  }

  /** With no keys configured every client is accepted (the server then binds only to loopback). */
  get open(): boolean {
    return this.digests.length === 0;
  }

  /** Compares against every key in constant time (hashing first makes lengths equal). */
  accepts(key: string | undefined): boolean {
    if (this.open) return true;
    if (key === undefined) return false;
    const candidate = digest(key);
    let match = false;
    for (const known of this.digests) match = timingSafeEqual(known, candidate) || match;
    return match;
  }
}
