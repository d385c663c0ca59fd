// Handshake admission: API keys, per-client rate limit and connection caps (global and per client).
//
// A client is its API key when the server has keys, its IP when it has none (a key that a keyless server
// does not check must not buy a client a bucket of its own). With keys, failed key checks are also
// limited per IP, so keys cannot be guessed at full speed, while each valid key keeps its own rate.

import { ApiKeys } from "./auth.js";

/** A token bucket per client (key, or IP when there is no key). */
export class HandshakeRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();

  constructor(private readonly perSecond: number, private readonly now: () => number = Date.now) {}

  allow(client: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(client) ?? { tokens: this.perSecond, updated: now };
    bucket.tokens = Math.min(this.perSecond, this.tokensAt(bucket, now));
    bucket.updated = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(client, bucket);
    if (this.buckets.size > 10_000) this.prune(now);
    return allowed;
  }

  /** Whether `client` has no token left now (nothing is taken). */
  exhausted(client: string): boolean {
    const bucket = this.buckets.get(client);
    if (bucket === undefined) return false;
    return this.tokensAt(bucket, this.now()) < 1;
  }

  /** The bucket's tokens at `now`, refilled at perSecond since its last update (not capped). */
  private tokensAt(bucket: { tokens: number; updated: number }, now: number): number {
    return bucket.tokens + ((now - bucket.updated) / 1000) * this.perSecond;
  }

  /** Forgets clients whose buckets are full again, so the map stays bounded. */
  private prune(now: number): void {
    for (const [client, bucket] of this.buckets) {
      if (this.tokensAt(bucket, now) >= this.perSecond) this.buckets.delete(client);
    }
  }
}

export class ConnectionCounter {
  private total = 0;
  private readonly perClient = new Map<string, number>();

  constructor(private readonly maxTotal: number, private readonly maxPerClient: number) {}

  /** Reserves a slot, or returns why not. */
  acquire(client: string): string | undefined {
    if (this.total >= this.maxTotal) return `the server is at its limit of ${this.maxTotal} connections`;
    const current = this.perClient.get(client) ?? 0;
    if (current >= this.maxPerClient) return `this client is at its limit of ${this.maxPerClient} connections`;
    this.total++;
    this.perClient.set(client, current + 1);
    return undefined;
  }

  release(client: string): void {
    this.total = Math.max(0, this.total - 1);
    const current = (this.perClient.get(client) ?? 1) - 1;
    if (current <= 0) this.perClient.delete(client);
    else this.perClient.set(client, current);
  }
}

export interface AdmissionLimits {
  apiKeys: readonly string[];
  handshakesPerSecond: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
}

export type AdmissionResult = { ok: true; client: string } | { ok: false; status: 401 | 429; reason: string; body: string };

export class Admission {
  private readonly keys: ApiKeys;
  private readonly handshakes: HandshakeRateLimiter;
  private readonly failedKeys: HandshakeRateLimiter;
  private readonly connections: ConnectionCounter;

  constructor(private readonly limits: AdmissionLimits, now: () => number = Date.now) {
    this.keys = new ApiKeys(limits.apiKeys);
    this.handshakes = new HandshakeRateLimiter(limits.handshakesPerSecond, now);
    this.failedKeys = new HandshakeRateLimiter(limits.handshakesPerSecond, now);
    this.connections = new ConnectionCounter(limits.maxConnections, limits.maxConnectionsPerClient);
  }

  get open(): boolean {
    return this.keys.open;
  }

  /** Decides a handshake; an admitted client holds a connection slot until `release(client)`. */
  admit(ip: string, key: string | undefined): AdmissionResult {
    const ipClient = `ip:${ip}`;
    if (!this.keys.open && this.failedKeys.exhausted(ipClient)) return this.tooFast(`failed key checks from this address`);
    if (!this.keys.accepts(key)) {
      this.failedKeys.allow(ipClient);
      return { ok: false, status: 401, reason: "Unauthorized", body: "Websocket initialized with invalid credentials.\n" };
    }
    const client = this.keys.open ? ipClient : `key:${key}`;
    if (!this.handshakes.allow(client)) return this.tooFast("handshakes from this client");
    const refusal = this.connections.acquire(client);
    if (refusal !== undefined) return { ok: false, status: 429, reason: "Too Many Requests", body: `Connection refused: ${refusal}.\n` };
    return { ok: true, client };
  }

  release(client: string): void {
    this.connections.release(client);
  }

  private tooFast(what: string): AdmissionResult {
    return { ok: false, status: 429, reason: "Too Many Requests", body: `More than ${this.limits.handshakesPerSecond} ${what} per second.\n` };
  }
}
