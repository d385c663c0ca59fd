import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InFlightBudget, type BudgetMember } from "./in-flight-budget.js";

class Member implements BudgetMember {
  partial = 0;
  changes = 0;
  partialBytes(): number {
    return this.partial;
  }
  budgetChanged(): void {
    this.changes++;
  }
}

describe("InFlightBudget", () => {
  it("stops everyone reading past the limit and lets them resume at 75 % of it", () => {
    const budget = new InFlightBudget(1000);
    const a = new Member();
    const b = new Member();
    budget.join(a);
    budget.join(b);
    budget.charge(1000);
    assert.ok(budget.mayRead(a) && budget.mayRead(b), "at the limit is within it");
    budget.charge(1);
    assert.ok(!budget.mayRead(a) && !budget.mayRead(b));
    assert.deepEqual([a.changes, b.changes], [1, 1]);
    budget.release(200);
    assert.ok(!budget.mayRead(a), "801 bytes: still above 75 %");
    budget.release(51);
    assert.ok(budget.mayRead(a) && budget.mayRead(b));
    assert.equal(budget.usedBytes, 750);
  });

  it("while spent, lets the member with most of a frame received finish it, then the next", () => {
    const budget = new InFlightBudget(1000);
    const [idle, small, large] = [new Member(), new Member(), new Member()];
    for (const m of [idle, small, large]) budget.join(m);
    small.partial = 300;
    large.partial = 800;
    budget.charge(1100);
    assert.deepEqual([budget.mayRead(idle), budget.mayRead(small), budget.mayRead(large)], [false, false, true]);
    // The large frame is whole: its bytes stay charged (now queued), and the small one may finish.
    large.partial = 0;
    budget.frameDone(large);
    assert.deepEqual([budget.mayRead(idle), budget.mayRead(small), budget.mayRead(large)], [false, true, false]);
    assert.equal(small.changes, 2, "told it may read");
    // A member that leaves mid-frame passes the turn on as well.
    budget.leave(small);
    assert.equal(budget.mayRead(idle), false, "nobody else is mid-frame");
  });

  it("never goes below zero", () => {
    const budget = new InFlightBudget(10);
    budget.release(5);
    assert.equal(budget.usedBytes, 0);
  });
});
