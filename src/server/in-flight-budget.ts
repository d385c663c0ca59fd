// One server-wide budget for the bytes held in flight: frames while they are being received and until
// they are answered, and media decoded from them while models run. Past the limit every connection stops
// reading its socket (TCP backpressure) until enough is answered, so memory stays bounded however many
// connections send large frames at once.
//
// Bytes of a frame still being received count too (ws hands a frame over only once it is whole). So that
// frames half-received on many connections cannot hold the budget with nobody able to finish, one
// connection in the middle of a frame (the one with most of it) may keep reading while the budget is
// spent; when its frame is whole the next one may. The others wait.

/** A connection as the budget sees it. */
export interface BudgetMember {
  /** Bytes of the frame it is receiving (0 between frames). */
  partialBytes(): number;
  /** The budget changed in a way that may pause or resume this member's reading. */
  budgetChanged(): void;
}

export class InFlightBudget {
  private used = 0;
  private exceeded = false;
  private finisher: BudgetMember | undefined;
  private readonly members = new Set<BudgetMember>();

  /** Reading resumes once use falls to this fraction of the limit, so it does not flap at the edge. */
  static readonly RESUME_FRACTION = 0.75;

  constructor(readonly limitBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  /** Whether `member` may read its socket now. */
  mayRead(member: BudgetMember): boolean {
    return !this.exceeded || this.finisher === member;
  }

  charge(bytes: number): void {
    this.used += bytes;
    if (!this.exceeded && this.used > this.limitBytes) {
      this.exceeded = true;
      this.finisher = this.mostAdvanced();
      this.notifyAll();
    }
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    if (this.exceeded && this.used <= this.limitBytes * InFlightBudget.RESUME_FRACTION) {
      this.exceeded = false;
      this.finisher = undefined;
      this.notifyAll();
    }
  }

  join(member: BudgetMember): void {
    this.members.add(member);
  }

  leave(member: BudgetMember): void {
    this.members.delete(member);
    this.frameDone(member);
  }

  /** `member` has no partial frame any more: while the budget is spent, another may finish its frame. */
  frameDone(member: BudgetMember): void {
    if (this.finisher !== member) return;
    this.finisher = this.exceeded ? this.mostAdvanced() : undefined;
    this.finisher?.budgetChanged();
  }

  /** The member with the most of a frame received, if any is in the middle of one. */
  private mostAdvanced(): BudgetMember | undefined {
    let most = 0;
    let chosen: BudgetMember | undefined;
    for (const member of this.members) {
      const partial = member.partialBytes();
      if (partial > most) {
        most = partial;
        chosen = member;
      }
    }
    return chosen;
  }

  private notifyAll(): void {
    for (const member of this.members) member.budgetChanged();
  }
}
