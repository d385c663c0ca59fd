import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AudioWindow } from "./audio-window.js";
import { FaceIdentities } from "./face-identities.js";
import { ConnectionSession } from "./session.js";

const second = (value = 0) => new Float32Array(16_000).fill(value);

describe("AudioWindow", () => {
  it("keeps times on the stream timeline and prepends past context", () => {
    const window = new AudioWindow();
    const first = window.append(second(0.1), 5000);
    assert.equal(first.startTime, 0);
    assert.equal(first.samples.length, 16_000);
    const next = window.append(second(0.2), 1500);
    assert.equal(next.samples.length, 24_000);
    assert.equal(next.startTime, 0.5);
    assert.ok(Math.abs(next.samples[0]! - 0.1) < 1e-6);
    assert.ok(Math.abs(next.samples[23_999]! - 0.2) < 1e-6);
  });

  it("covers at least the current payload and at most 10 s", () => {
    const window = new AudioWindow();
    for (let i = 0; i < 12; i++) window.append(second(), 10_000);
    assert.equal(window.streamSeconds, 12);
    const view = window.append(new Float32Array(48_000), 500);
    assert.equal(view.samples.length, 48_000);
    assert.equal(view.startTime, 12);
  });

  it("reset drops context but not the timeline", () => {
    const window = new AudioWindow();
    window.append(second(), 5000);
    window.reset();
    const view = window.append(second(), 5000);
    assert.equal(view.samples.length, 16_000);
    assert.equal(view.startTime, 1);
  });
});

describe("FaceIdentities", () => {
  const options = { minSimilarity: 0.6 };
  it("gives the same id to similar embeddings and new ids to different ones", () => {
    const faces = new FaceIdentities();
    assert.equal(faces.identify(Float32Array.from([1, 0, 0]), options), "face_0");
    assert.equal(faces.identify(Float32Array.from([0, 1, 0]), options), "face_1");
    assert.equal(faces.identify(Float32Array.from([0.95, 0.05, 0]), options), "face_0");
    assert.equal(faces.size, 2);
  });

  it("never gives one id to two faces of a frame", () => {
    const faces = new FaceIdentities();
    assert.equal(faces.identify(Float32Array.from([1, 0, 0]), options), "face_0");
    assert.equal(faces.identify(Float32Array.from([0.9, 0.1, 0]), { ...options, exclude: new Set(["face_0"]) }), "face_1");
  });

  it("stays bounded by forgetting the identity seen longest ago, without reusing its id", () => {
    const faces = new FaceIdentities(2);
    faces.identify(Float32Array.from([1, 0, 0]), options);
    faces.identify(Float32Array.from([0, 1, 0]), options);
    faces.observe("face_0", Float32Array.from([1, 0, 0]));
    assert.equal(faces.identify(Float32Array.from([0, 0, 1]), options), "face_2");
    assert.equal(faces.size, 2);
    assert.equal(faces.identify(Float32Array.from([1, 0, 0]), options), "face_0");
    assert.equal(faces.identify(Float32Array.from([0, 1, 0]), options), "face_3");
  });
});

describe("ConnectionSession", () => {
  it("keeps face identities across reset_stream", () => {
    const session = new ConnectionSession();
    const id = session.faceIdentities.identify(Float32Array.from([1, 0]), { minSimilarity: 0.6 });
    session.resetStream();
    assert.equal(session.faceIdentities.identify(Float32Array.from([1, 0]), { minSimilarity: 0.6 }), id);
  });

  it("has a 32-hex-character job id, distinct per connection", () => {
    const a = new ConnectionSession();
    const b = new ConnectionSession();
    assert.match(a.jobId, /^[0-9a-f]{32}$/);
    assert.notEqual(a.jobId, b.jobId);
  });
});
