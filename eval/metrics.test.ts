import assert from "node:assert/strict";
import { test } from "node:test";
import { detokenize, f1, median, parseCsv, parsePtb, ptbLeaves, ptbText, rocAuc } from "./metrics.js";

test("f1 counts true positives, false positives and misses", () => {
  assert.equal(f1([true, true, false, false], [true, false, true, false]), 0.5);
  assert.equal(f1([false, false], [false, false]), 0);
  assert.equal(f1([true], [true]), 1);
});

test("rocAuc matches hand-computed values, ties counting half", () => {
  assert.equal(rocAuc([false, false, true, true], [0.1, 0.4, 0.35, 0.8]), 0.75);
  assert.equal(rocAuc([false, true], [0.5, 0.5]), 0.5);
  assert.equal(rocAuc([true, true], [0.1, 0.2]), Number.NaN);
  assert.equal(rocAuc([false, true, false, true], [0.1, 0.9, 0.2, 0.8]), 1);
});

test("median of odd and even lists", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
});

test("parseCsv handles quotes, doubled quotes, commas and line breaks inside fields", () => {
  const rows = parseCsv('id,text,x\r\n1,"a, ""b""\nc",0\n2,plain,1\n');
  assert.deepEqual(rows, [["id", "text", "x"], ["1", 'a, "b"\nc', "0"], ["2", "plain", "1"]]);
});

test("parsePtb reads the root label and the leaves", () => {
  const tree = parsePtb("(3 (2 -LRB-) (4 (4 It) (2 rocks)) (2 -RRB-))");
  assert.equal(tree.label, 3);
  assert.equal(ptbText(tree), "( It rocks )");
  assert.equal(parsePtb("(1 (1 too-tepid) (2 biopic))").label, 1);
});

test("detokenize applies replacement rules in order to the joined leaves", () => {
  const tree = parsePtb("(2 (2 It) (2 (2 does) (2 n't)) (2 (2 -LRB-) (2 really) (2 -RRB-)) (2 .))");
  assert.deepEqual(ptbLeaves(tree), ["It", "does", "n't", "-LRB-", "really", "-RRB-", "."]);
  const rules: Array<[string, string]> = [[" n't", "n't"], ["-LRB- ", "("], [" -RRB-", ")"], [" .", "."]];
  assert.equal(detokenize(ptbLeaves(tree), rules), "It doesn't (really).");
});
