import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyReply, frame } from "./load.js";

describe("bench load generator", () => {
  it("classifies replies from their first bytes", () => {
    assert.equal(classifyReply(Buffer.from('{"error":"bad","code":"E0100"}')), "error");
    assert.equal(classifyReply(Buffer.from('{"payload_id":"x","some_model":{"predictions":[]}}')), "predictions");
    assert.equal(classifyReply(Buffer.from('{"some_model":{"warning":"Nothing detected.","code":"W0104"}}')), "warning");
    assert.equal(classifyReply(Buffer.from('{"payload_id":"end"}')), "other");
  });

  it("serialises a frame once, as UTF-8 JSON", () => {
    const f = frame({ data: "café 😀", raw_text: true, models: { some_model: {} } });
    assert.deepEqual(JSON.parse(f.bytes.toString("utf8")), { data: "café 😀", raw_text: true, models: { some_model: {} } });
    assert.equal(f.expect, "predictions");
  });
});
