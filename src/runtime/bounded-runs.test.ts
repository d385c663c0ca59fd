import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { boundedRuns } from "./bounded-runs.js";

describe("bounded runs", () => {
  it("covers every item once, in order, in runs of at most the size, one at a time", async () => {
    let running = 0;
    const ranges = await boundedRuns(10, 4, async (start, end) => {
      assert.equal(++running, 1);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return [start, end];
    });
    assert.deepEqual(ranges, [[0, 4], [4, 8], [8, 10]]);
    assert.deepEqual(await boundedRuns(3, 8, async (start, end) => [start, end]), [[0, 3]]);
    assert.deepEqual(await boundedRuns(0, 8, async () => assert.fail("no run for no items")), []);
  });

  it("refuses a size below one", async () => {
    await assert.rejects(boundedRuns(3, 0, async () => 0), RangeError);
  });
});
