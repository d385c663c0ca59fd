// Handshake admission: per-client rate limit and connection caps (global and per key).

/** A token bucket per client (key, or IP when there is no key). */
export class HandshakeRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();

  constructor(private readonly perSecond: number, private readonly now: () => number = Date.now) {}

  allow(client: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(client) ?? { tokens: this.perSecond, updated: now };
    bucket.tokens = Math.min(this.perSecond, bucket.tokens + ((now - bucket.updated) / 1000) * this.perSecond);
    bucket.updated = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(client, bucket);
    if (this.buckets.size > 10_000) this.prune(now);
    return allowed;
  }

  /** Forgets clients whose buckets are full again, so the map stays bounded. */
  private prune(now: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updated) / 1000) * this.perSecond >= this.perSecond) this.buckets.delete(client);
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
