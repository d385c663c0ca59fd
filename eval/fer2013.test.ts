import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ferplusMajority } from "./fer2013.js";

describe("ferplusMajority", () => {
  it("is the emotion with the most votes", () => {
    assert.equal(ferplusMajority([1, 6, 3, 0, 0, 0, 0, 0, 0, 0]), 1);
  });

  it("leaves out images without votes, with an unknown or not-a-face majority, or with tied emotions", () => {
    assert.equal(ferplusMajority(undefined), undefined);
    assert.equal(ferplusMajority([2, 1, 0, 0, 0, 0, 0, 0, 5, 2]), undefined);
    assert.equal(ferplusMajority([0, 0, 0, 0, 0, 0, 0, 0, 3, 7]), undefined);
    assert.equal(ferplusMajority([4, 4, 2, 0, 0, 0, 0, 0, 0, 0]), undefined);
  });
});
