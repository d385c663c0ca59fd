import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nestsDeeperThan, topLevelPayloadId } from "./json-depth.js";
import { MAX_REQUEST_DEPTH, parseRequest } from "./request.js";

describe("nestsDeeperThan", () => {
  it("counts objects and arrays, not brackets inside strings", () => {
    assert.equal(nestsDeeperThan('{"models":{"face":{"facs":{}}}}', 4), false);
    assert.equal(nestsDeeperThan('{"models":{"face":{"facs":{}}}}', 3), true);
    assert.equal(nestsDeeperThan(JSON.stringify({ data: "[".repeat(1000), raw_text: true }), 2), false);
    assert.equal(nestsDeeperThan(JSON.stringify({ data: 'a\\"[[[[', x: 1 }), 1), false, "escaped quotes stay inside the string");
    assert.equal(nestsDeeperThan("[".repeat(40), 32), true, "unbalanced too");
    assert.equal(nestsDeeperThan('{"a":"unterminated [[[[', 1), false);
  });
});

describe("topLevelPayloadId", () => {
  it("reads the last top-level payload_id string, ignoring nested ones", () => {
    assert.equal(topLevelPayloadId('{"x":{"payload_id":"inner"},"payload_id":"top"}'), "top");
    assert.equal(topLevelPayloadId('{"payload_id":"a","payload_id":"b\\u0041"}'), "bA");
    assert.equal(topLevelPayloadId('{"payload_id":7}'), undefined);
    assert.equal(topLevelPayloadId('["payload_id","x"]'), undefined);
    assert.equal(topLevelPayloadId('{"data":"\\"payload_id\\":\\"no\\""}'), undefined);
  });
});

describe("parseRequest and deep nesting", () => {
  it("refuses a request nested past the limit with E0101, echoing its payload_id, without parsing it", () => {
    const deep = `{"payload_id":"deep","extra":${'{"a":'.repeat(1_000_000)}1${"}".repeat(1_000_000)}}`;
    const result = parseRequest(deep);
    assert.ok(!result.ok);
    assert.equal(result.code, "E0101");
    assert.equal(result.payload_id, "deep");
    assert.match(result.message, new RegExp(String(MAX_REQUEST_DEPTH)));
    assert.ok(!parseRequest("[".repeat(1_000_000) + "]".repeat(1_000_000)).ok);
  });

  it("still parses every ordinary request", () => {
    const ok = parseRequest(JSON.stringify({ payload_id: "p", data: "[[[[", raw_text: true, models: { face: { facs: {}, descriptions: {} }, language: { granularity: "word" } } }));
    assert.ok(ok.ok);
  });
});
