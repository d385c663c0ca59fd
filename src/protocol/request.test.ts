import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "./codes.js";
import { modelMediaMismatchMessage, parseRequest } from "./request.js";

function fail(frame: string) {
  const result = parseRequest(frame);
  assert.equal(result.ok, false);
  return result as Extract<typeof result, { ok: false }>;
}

function ok(frame: string) {
  const result = parseRequest(frame);
  assert.ok(result.ok, JSON.stringify(result));
  return result.request;
}

describe("parseRequest", () => {
  it("rejects invalid JSON with E0100", () => {
    assert.equal(fail("{nope").code, ErrorCode.InvalidJson);
  });

  it("rejects non-objects with E0101", () => {
    for (const frame of ["[]", "null", "3", '"x"']) assert.equal(fail(frame).code, ErrorCode.InvalidRequest);
  });

  it("applies defaults", () => {
    const request = ok('{"data":"hi","raw_text":true,"models":{"language":{}}}');
    assert.deepEqual(request.models.language, { granularity: "word", sentiment: false, toxicity: false });
    assert.equal(request.stream_window_ms, 5000);
    assert.equal(request.reset_stream, false);
    assert.equal(request.job_details, false);
  });

  it("names an unknown top-level key and keeps the payload_id", () => {
    const failure = fail('{"payload_id":"p9","type":"session_settings"}');
    assert.equal(failure.code, ErrorCode.InvalidRequest);
    assert.match(failure.message, /'type'/);
    assert.equal(failure.payload_id, "p9");
  });

  it("quotes at most 64 characters of an unknown key", () => {
    const key = "k".repeat(100_000);
    const failure = fail(JSON.stringify({ payload_id: "p", [key]: 1 }));
    assert.equal(failure.code, ErrorCode.InvalidRequest);
    assert.ok(failure.message.length < 200, `message of ${failure.message.length} characters`);
    assert.match(failure.message, /^Extra inputs are not permitted: 'k{64}… \(100000 characters\)'\.$/);
  });

  it("rejects camelCase variants and suggests the snake_case name", () => {
    const failure = fail('{"data":"x","rawText":true,"models":{"language":{}}}');
    assert.match(failure.message, /'rawText'.*'raw_text'/);
    assert.match(fail('{"payloadId":"x"}').message, /'payload_id'/);
  });

  it("treats null as absent", () => {
    const request = ok('{"data":"x","raw_text":null,"stream_window_ms":null,"payload_id":null,"models":{"face":{"facs":null},"language":null}}');
    assert.equal(request.raw_text, false);
    assert.equal(request.payload_id, undefined);
    assert.equal(request.models.face?.facs, false);
    assert.equal(request.models.language, undefined);
  });

  it("enables optional outputs by presence", () => {
    const request = ok('{"data":"x","models":{"face":{"facs":{},"descriptions":{},"identify_faces":true},"language":{"sentiment":{},"toxicity":{},"granularity":"passage"}}}');
    assert.deepEqual(request.models.face, { facs: true, descriptions: true, identify_faces: true, fps_pred: 3, prob_threshold: 0.99, min_face_size: 60 });
    assert.deepEqual(request.models.language, { granularity: "passage", sentiment: true, toxicity: true });
  });

  it("accepts 0/1 and false for flags", () => {
    const request = ok('{"reset_stream":1,"job_details":0}');
    assert.equal(request.reset_stream, true);
    assert.equal(request.job_details, false);
    assert.equal(fail('{"reset_stream":"yes"}').code, ErrorCode.InvalidRequest);
  });

  it("checks ranges", () => {
    assert.match(fail('{"stream_window_ms":499}').message, /between 500 and 10000/);
    assert.equal(ok('{"stream_window_ms":10000}').stream_window_ms, 10000);
    assert.equal(fail('{"data":"x","models":{"face":{"prob_threshold":1.5}}}').code, ErrorCode.InvalidRequest);
    assert.equal(fail('{"data":"x","models":{"language":{"granularity":"paragraph"}}}').code, ErrorCode.InvalidRequest);
  });

  it("accepts conversational_turn and ignores batch-only options", () => {
    assert.equal(ok('{"data":"x","models":{"language":{"granularity":"conversational_turn","identify_speakers":true}}}').models.language?.granularity, "conversational_turn");
    assert.ok(ok('{"data":"x","models":{"face":{"save_faces":true}}}').models.face);
    assert.deepEqual(ok('{"data":"x","models":{"prosody":{"granularity":"utterance","window":{}}}}').models.prosody, {});
  });

  it("rejects unknown models and unknown nested keys", () => {
    assert.match(fail('{"data":"x","models":{"ner":{}}}').message, /'ner'/);
    assert.match(fail('{"data":"x","models":{"face":{"fpsPred":3}}}').message, /'fpsPred'.*'fps_pred'/);
  });

  it("requires a model when data is present", () => {
    assert.match(fail('{"data":"x"}').message, /names no model/);
    assert.match(fail('{"data":"x","models":{}}').message, /names no model/);
  });

  it("accepts control-only messages", () => {
    assert.equal(ok('{"reset_stream":true}').reset_stream, true);
    assert.equal(ok('{"job_details":true}').job_details, true);
    assert.ok(ok("{}"));
  });

  it("builds the E0102 message in the verified form", () => {
    assert.equal(
      modelMediaMismatchMessage("prosody", "image"),
      "Streaming payload configured with model type 'prosody', which is not supported for the detected file type 'image'.",
    );
  });
});
