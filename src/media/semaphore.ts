// A counting semaphore whose queue is bounded in length and in wait, so a flood is refused, not queued
// (ffmpeg.ts caps the decoder processes with it).

/** Why an acquire was refused: the queue was full, or no slot came free in time. */
export type Refusal = "full" | "timeout";

interface Waiter {
  resolve: () => void;
  timer: NodeJS.Timeout;
}

export class Semaphore {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    public limit: number,
    public maxQueued: number,
    public maxWaitMs: number,
    /** The error a refused acquire rejects with; the owner words it (the semaphore does not know what it guards). */
    private readonly refuse: (why: Refusal) => Error,
  ) {}

  /** Takes a slot, waiting in line for one when all are taken; rejects when the line is full or the wait too long. */
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    if (this.waiting.length >= this.maxQueued) throw this.refuse("full");
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(this.refuse("timeout"));
        }, this.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  /** Gives a slot back; the oldest waiter takes it (one wake-up path, shared with setLimit). */
  release(): void {
    this.active--;
    this.drain();
  }

  /** Changes the number of slots; a raised limit wakes waiters at once. */
  setLimit(limit: number): void {
    this.limit = limit;
    this.drain();
  }

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Hands free slots to waiters, oldest first. */
  private drain(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++;
      const waiter = this.waiting.shift()!;
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }
}
