// One server-wide budget for the bytes held in flight: received frames until they are answered, and media
// decoded from them while models run. Past the limit every connection stops reading its socket (TCP
// backpressure) until enough is answered, so memory stays bounded however many connections send large
// frames at once.

export class InFlightBudget {
  private used = 0;
  private exceeded = false;
  private readonly listeners = new Set<() => void>();

  /** Reading resumes once use falls to this fraction of the limit, so it does not flap at the edge. */
  static readonly RESUME_FRACTION = 0.75;

  constructor(readonly limitBytes: number) {}

  /** True from when use passes the limit until it falls back to RESUME_FRACTION of it. */
  get over(): boolean {
    return this.exceeded;
  }

  get usedBytes(): number {
    return this.used;
  }

  charge(bytes: number): void {
    this.used += bytes;
    if (!this.exceeded && this.used > this.limitBytes) this.flip(true);
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    if (this.exceeded && this.used <= this.limitBytes * InFlightBudget.RESUME_FRACTION) this.flip(false);
  }

  /** Calls `listener` whenever `over` changes; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private flip(over: boolean): void {
    this.exceeded = over;
    for (const listener of this.listeners) listener();
  }
}
