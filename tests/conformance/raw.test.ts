// Wire conformance over a raw `ws` client (spec §1–§5): handshake, lifecycle, every error code,
// ordering, limits, HTTP endpoints and shutdown. Behaviour only: no timing assertions.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RunningServer } from "../../src/server/server.js";
import { HEX32, b64, closeAllSockets, facemesh, handshakeStatus, hasFfmpeg, httpGet, startTestServer, TestSocket, videoBytes, type Reply } from "./helpers.js";
import { greyPng, pngClaiming, toneWav } from "../support/media.js";
import { fakeFace, fakeFacemesh, fakeProsody, gatedLanguage, languageFactory, throwingFactory } from "../support/fake-models.js";

const T = { timeout: 30_000 };
const TEXT_MODELS = { language: { granularity: "word", sentiment: {}, toxicity: {} } };

function assertError(reply: Reply, code: string, payloadId?: string): string {
  assert.equal(reply.code, code, `expected ${code}, got ${JSON.stringify(reply).slice(0, 400)}`);
  assert.equal(typeof reply.error, "string");
  assert.ok((reply.error as string).length > 0);
  if (payloadId === undefined) assert.equal("payload_id" in reply, false);
  else assert.equal(reply.payload_id, payloadId);
  return reply.error as string;
}

function assertLanguagePredictions(reply: Reply, payloadId?: string): void {
  assert.equal("error" in reply, false, `unexpected error: ${JSON.stringify(reply).slice(0, 400)}`);
  if (payloadId !== undefined) assert.equal(reply.payload_id, payloadId);
  const language = reply.language as { predictions?: unknown[] } | undefined;
  assert.ok(language !== undefined && Array.isArray(language.predictions) && language.predictions.length > 0);
}

// --- Main server: language (real when installed) plus face, prosody and facemesh doubles; no burst. ---

describe("raw ws: protocol", () => {
  let server: RunningServer;
  let url: string;
  const open = () => TestSocket.open(url);

  before(async () => {
    server = await startTestServer({ factories: [languageFactory(), fakeFace, fakeProsody, fakeFacemesh] });
    url = server.url;
  });
  after(async () => {
    await closeAllSockets();
    await server.shutdown();
  });

  test("sends nothing on open: the first message is the reply to the first request", T, async () => {
    const socket = await open();
    assert.equal(socket.pending, 0);
    const reply = await socket.request({ job_details: true, payload_id: "first" });
    assert.equal(reply.payload_id, "first");
    assert.match((reply.job_details as { job_id: string }).job_id, HEX32);
    assert.equal(socket.pending, 0);
    await socket.close();
  });

  test("reset_stream alone is answered with {}", T, async () => {
    const socket = await open();
    assert.deepEqual(await socket.request({ reset_stream: true }), {});
    // Explicit false/0 flags are accepted too (spec §2.4).
    assert.deepEqual(await socket.request({ reset_stream: false, job_details: 0 }), {});
    await socket.close();
  });

  test("job_details alone: 32 hex chars, stable for the connection, new per connection", T, async () => {
    const a = await open();
    const first = await a.request({ job_details: true });
    assert.deepEqual(Object.keys(first), ["job_details"]);
    const id = (first.job_details as { job_id: string }).job_id;
    assert.match(id, HEX32);
    const again = await a.request({ job_details: true, reset_stream: true, payload_id: "x" });
    assert.deepEqual(again, { payload_id: "x", job_details: { job_id: id } });
    const withData = await a.request({ data: "hello there", raw_text: true, models: TEXT_MODELS, job_details: true });
    assert.deepEqual(withData.job_details, { job_id: id });
    const b = await open();
    const other = ((await b.request({ job_details: true })).job_details as { job_id: string }).job_id;
    assert.match(other, HEX32);
    assert.notEqual(other, id);
    await a.close();
    await b.close();
  });

  test("null values are treated as absent", T, async () => {
    const socket = await open();
    const reply = await socket.request({
      data: "What a lovely day",
      raw_text: true,
      models: { language: { granularity: null, sentiment: null, toxicity: null }, face: null },
      payload_id: null,
      stream_window_ms: null,
      reset_stream: null,
      job_details: null,
    });
    assert.equal("error" in reply, false, JSON.stringify(reply));
    assert.equal("payload_id" in reply, false);
    assert.equal("job_details" in reply, false);
    assert.equal("face" in reply, false);
    const predictions = (reply.language as { predictions: Record<string, unknown>[] }).predictions;
    assert.ok(predictions.length >= 1);
    for (const p of predictions) {
      assert.equal("sentiment" in p, false);
      assert.equal("toxicity" in p, false);
    }
    await socket.close();
  });

  test("E0100: a frame that is not JSON; the connection stays usable", T, async () => {
    const socket = await open();
    assertError(await socket.request("{not json"), "E0100");
    assertLanguagePredictions(await socket.request({ data: "still here", raw_text: true, models: TEXT_MODELS, payload_id: "after" }), "after");
    await socket.close();
  });

  test("E0101: unknown top-level key is named; camelCase rawText names raw_text", T, async () => {
    const socket = await open();
    const unknown = assertError(await socket.request({ type: "session_settings", payload_id: "u1" }), "E0101", "u1");
    assert.match(unknown, /'type'|"type"|\btype\b/);
    const camel = assertError(await socket.request({ data: "hi", rawText: true, models: TEXT_MODELS, payload_id: "u2" }), "E0101", "u2");
    assert.match(camel, /rawText/);
    assert.match(camel, /raw_text/);
    // Valid JSON that is not an object, unknown model names and bad nested values are E0101 too.
    for (const frame of ["null", "[]", "42"]) assertError(await socket.request(frame), "E0101");
    assert.match(assertError(await socket.request({ data: "hi", raw_text: true, models: { emotion: {} }, payload_id: "u3" }), "E0101", "u3"), /emotion/);
    assert.match(assertError(await socket.request({ data: "hi", raw_text: true, models: { language: { granularity: "paragraph" } } }), "E0101"), /granularity/);
    assertError(await socket.request({ data: "hi", raw_text: true, models: {} }), "E0101");
    await socket.close();
  });

  test("E0101: stream_window_ms outside 500..10000; the bounds themselves are accepted", T, async () => {
    const socket = await open();
    for (const value of [499, 100, 10_001, 20_000, "5000"]) {
      const message = assertError(await socket.request({ stream_window_ms: value, reset_stream: true, payload_id: `w${value}` }), "E0101", `w${value}`);
      assert.match(message, /stream_window_ms/);
    }
    for (const value of [500, 10_000, 2500.5]) assert.deepEqual(await socket.request({ stream_window_ms: value, reset_stream: true }), {});
    await socket.close();
  });

  test("E0102: text with face uses the exact live-API message", T, async () => {
    const socket = await open();
    const message = assertError(await socket.request({ data: "hello", raw_text: true, models: { face: {} }, payload_id: "m1" }), "E0102", "m1");
    assert.equal(message, "Streaming payload configured with model type 'face', which is not supported for the detected file type 'text'.");
    await socket.close();
  });

  test("E0102: prosody on an image (the message verified against the live API, spec §3.2)", T, async () => {
    const socket = await open();
    const message = assertError(await socket.request({ data: b64(greyPng(16, 16)), models: { prosody: {} } }), "E0102");
    assert.equal(message, "Streaming payload configured with model type 'prosody', which is not supported for the detected file type 'image'.");
    await socket.close();
  });

  test("E0103: a model this server does not enable", T, async () => {
    const socket = await open();
    const message = assertError(await socket.request({ data: b64(toneWav({ seconds: 1 })), models: { burst: {} }, payload_id: "b" }), "E0103", "b");
    assert.match(message, /burst/);
    await socket.close();
  });

  test("E0200: bytes of no known format", T, async () => {
    const socket = await open();
    const junk = Buffer.alloc(256);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 37 + 0x80) & 0xff; // high bytes: not UTF-8, no magic
    assertError(await socket.request({ data: b64(junk), models: { face: {} }, payload_id: "j" }), "E0200", "j");
    await socket.close();
  });

  test("E0201: data that is not base64 (and not raw_text)", T, async () => {
    const socket = await open();
    assertError(await socket.request({ data: "%%% this is not base64 %%%", models: { face: {} }, payload_id: "nb" }), "E0201", "nb");
    await socket.close();
  });

  const FFMPEG = { ...T, skip: hasFfmpeg() ? false : "ffmpeg not installed (needed to build video fixtures)" };

  test("E0202: an audio model on a video without an audio track", FFMPEG, async (t) => {
    const video = videoBytes(1);
    if (video === undefined) return t.skip("ffmpeg could not build the video fixture");
    const socket = await open();
    assertError(await socket.request({ data: b64(video), models: { prosody: {} }, payload_id: "v" }), "E0202", "v");
    await socket.close();
  });

  test("E0204: a video longer than 5 s", FFMPEG, async (t) => {
    const video = videoBytes(6);
    if (video === undefined) return t.skip("ffmpeg could not build the video fixture");
    const socket = await open();
    const message = assertError(await socket.request({ data: b64(video), models: { face: {} }, payload_id: "vl" }), "E0204", "vl");
    assert.match(message, /\b5(\.0+)?\s?s\b|\b5,?000\s?ms\b/, `limit missing from: ${message}`);
    await socket.close();
  });

  test("a short video with sound reaches both the face and the prosody model", FFMPEG, async (t) => {
    const video = videoBytes(1, true);
    if (video === undefined) return t.skip("ffmpeg could not build the video fixture");
    const socket = await open();
    const reply = await socket.request({ data: b64(video), models: { face: {}, prosody: {} }, payload_id: "av" });
    assert.equal("error" in reply, false, JSON.stringify(reply).slice(0, 300));
    assert.deepEqual(reply.face, { warning: "No faces detected.", code: "W0103" });
    assert.equal((reply.prosody as { predictions: unknown[] }).predictions.length, 1);
    await socket.close();
  });

  test("audio within the limit reaches the audio model", T, async () => {
    const socket = await open();
    const reply = await socket.request({ data: b64(toneWav({ seconds: 2 })), models: { prosody: {} }, payload_id: "a2" });
    assert.equal("error" in reply, false, JSON.stringify(reply).slice(0, 400));
    const predictions = (reply.prosody as { predictions: { time: { begin: number; end: number } }[] }).predictions;
    assert.equal(predictions.length, 1);
    await socket.close();
  });

  test("audio models see a per-connection sliding window on a stream timeline (spec §2, §3.6)", T, async () => {
    // The prosody double reports the window it was given as its one segment's time range.
    const socket = await open();
    const window = async (extra: Record<string, unknown> = {}) => {
      const reply = await socket.request({ data: b64(toneWav({ seconds: 1 })), models: { prosody: {} }, ...extra });
      assert.equal("error" in reply, false, JSON.stringify(reply).slice(0, 300));
      return (reply.prosody as { predictions: { time: { begin: number; end: number } }[] }).predictions[0]!.time;
    };
    assert.deepEqual(await window(), { begin: 0, end: 1 });
    assert.deepEqual(await window(), { begin: 0, end: 2 }); // default 5000 ms window prepends past audio
    assert.deepEqual(await window({ stream_window_ms: 1000 }), { begin: 2, end: 3 });
    assert.deepEqual(await window({ reset_stream: true }), { begin: 3, end: 4 }); // context dropped, timeline kept
    const other = await TestSocket.open(url);
    const fresh = await other.request({ data: b64(toneWav({ seconds: 1 })), models: { prosody: {} } });
    assert.deepEqual((fresh.prosody as { predictions: { time: unknown }[] }).predictions[0]!.time, { begin: 0, end: 1 });
    await other.close();
    await socket.close();
  });

  test("batch-only options the legacy Python SDK may send are tolerated", T, async () => {
    const socket = await open();
    const face = await socket.request({ data: b64(greyPng(16, 16)), models: { face: { save_faces: false, fps_pred: 3, prob_threshold: 0.99, min_face_size: 60 } } });
    assert.deepEqual(face, { face: { warning: "No faces detected.", code: "W0103" } });
    const prosody = await socket.request({ data: b64(toneWav({ seconds: 0.5 })), models: { prosody: { granularity: "utterance", identify_speakers: false } } });
    assert.equal("error" in prosody, false, JSON.stringify(prosody).slice(0, 300));
    const language = await socket.request({ data: "hello", raw_text: true, models: { language: { identify_speakers: false } } });
    assertLanguagePredictions(language);
    await socket.close();
  });

  test("E0203: 6 s of WAV; the message gives the limit and the length", T, async () => {
    const socket = await open();
    const message = assertError(await socket.request({ data: b64(toneWav({ seconds: 6 })), models: { prosody: {} }, payload_id: "long" }), "E0203", "long");
    assert.match(message, /\b5(\.0+)?\s?s\b|\b5,?000\s?ms\b/, `limit missing from: ${message}`);
    assert.match(message, /\b6(\.0+)?\s?s\b|\b6,?000\s?ms\b/, `length missing from: ${message}`);
    await socket.close();
  });

  test("E0205: an image wider than 3000 px", T, async () => {
    const socket = await open();
    const message = assertError(await socket.request({ data: b64(greyPng(3001, 4)), models: { face: {} }, payload_id: "wide" }), "E0205", "wide");
    assert.match(message, /3001/);
    assert.match(message, /3000|3,000/);
    await socket.close();
  });

  test("E0205: a PNG header claiming 100000x100000 px (never decoded)", T, async () => {
    const socket = await open();
    const message = assertError(await socket.request({ data: b64(pngClaiming(100_000, 100_000)), models: { face: {} }, payload_id: "bomb" }), "E0205", "bomb");
    assert.match(message, /100000|100,000/);
    await socket.close();
  });

  test("images reach the face model; 'no faces' is a nested warning with predictions absent", T, async () => {
    const socket = await open();
    const png = b64(greyPng(64, 48));
    for (const data of [png, `data:image/png;base64,${png}`]) {
      const reply = await socket.request({ data, models: { face: {} }, payload_id: "img" });
      assert.deepEqual(reply, { payload_id: "img", face: { warning: "No faces detected.", code: "W0103" } });
    }
    await socket.close();
  });

  test("E0207: facemesh of the wrong shape or too many faces; valid facemesh in all three encodings", T, async () => {
    const socket = await open();
    const wrong = JSON.stringify([[[0.1, 0.2]]]);
    assertError(await socket.request({ data: b64(wrong), models: { facemesh: {} }, payload_id: "fm1" }), "E0207", "fm1");
    assertError(await socket.request({ data: wrong, models: { facemesh: {} }, payload_id: "fm2" }), "E0207", "fm2");
    assertError(await socket.request({ data: b64(JSON.stringify(facemesh(1, 477))), models: { facemesh: {} } }), "E0207");
    assertError(await socket.request({ data: b64(JSON.stringify(facemesh(11))), models: { facemesh: {} } }), "E0207");
    const valid = JSON.stringify(facemesh(2));
    const encodings = [
      { data: b64(valid), raw_text: false }, // legacy Python / send_file
      { data: b64(valid), raw_text: true }, // TS SDK sendFacemesh
      { data: valid, raw_text: false }, // current Python send_facemesh
    ];
    for (const encoding of encodings) {
      const reply = await socket.request({ ...encoding, models: { facemesh: {} } });
      assert.equal("error" in reply, false, JSON.stringify(reply).slice(0, 300));
      assert.equal((reply.facemesh as { predictions: unknown[] }).predictions.length, 2);
    }
    await socket.close();
  });

  test("binary frames are read as JSON and answered with a text frame", T, async () => {
    const socket = await open();
    socket.send(Buffer.from(JSON.stringify({ job_details: true, payload_id: "bin" })));
    const frame = await socket.nextFrame();
    assert.equal(frame.isBinary, false);
    assert.equal(frame.reply.payload_id, "bin");
    assert.match((frame.reply.job_details as { job_id: string }).job_id, HEX32);
    socket.send(Buffer.from([0xff, 0x00, 0x13]));
    const junk = await socket.nextFrame();
    assert.equal(junk.isBinary, false);
    assertError(junk.reply, "E0100");
    await socket.close();
  });

  test("pipelined frames: one reply each, in order, with matching payload_id", T, async () => {
    const socket = await open();
    const kinds: string[] = [];
    for (let i = 0; i < 50; i++) {
      const id = `p${i}`;
      if (i === 25) {
        socket.send("{oops");
        kinds.push("E0100");
        continue;
      }
      switch (i % 5) {
        case 0:
          socket.send({ data: `message number ${i} is fine`, raw_text: true, models: TEXT_MODELS, payload_id: id });
          kinds.push("language");
          break;
        case 1:
          socket.send({ data: "x", raw_text: true, models: TEXT_MODELS, payload_id: id, payloadID: id });
          kinds.push("E0101");
          break;
        case 2:
          socket.send({ data: b64(toneWav({ seconds: 0.5 })), models: { burst: {} }, payload_id: id });
          kinds.push("E0103");
          break;
        case 3:
          socket.send({ data: "!!not-base64!!", models: { face: {} }, payload_id: id });
          kinds.push("E0201");
          break;
        default:
          socket.send({ job_details: true, payload_id: id });
          kinds.push("job");
      }
    }
    for (let i = 0; i < 50; i++) {
      const reply = await socket.next();
      const kind = kinds[i]!;
      if (kind === "E0100") assertError(reply, "E0100");
      else if (kind === "language") assertLanguagePredictions(reply, `p${i}`);
      else if (kind === "job") assert.equal(reply.payload_id, `p${i}`);
      else assertError(reply, kind, `p${i}`);
    }
    assert.deepEqual(await socket.request({ reset_stream: true }), {});
    assert.equal(socket.pending, 0);
    await socket.close();
  });

  test("HTTP: /healthz 200, /readyz 200, GET /v0/stream/models 426", T, async () => {
    assert.equal((await httpGet(server.port, "/healthz")).status, 200);
    assert.equal((await httpGet(server.port, "/readyz")).status, 200);
    assert.equal((await httpGet(server.port, "/v0/stream/models")).status, 426);
  });

  test("/metrics exposes message counts and the model latency histogram", T, async () => {
    const socket = await open();
    assertLanguagePredictions(await socket.request({ data: "count me", raw_text: true, models: TEXT_MODELS }));
    await socket.close();
    const { status, body } = await httpGet(server.port, "/metrics");
    assert.equal(status, 200);
    assert.match(body, /^moodwire_messages_total \d+/m);
    assert.match(body, /^# TYPE moodwire_model_latency_seconds histogram$/m);
    assert.match(body, /^moodwire_model_latency_seconds_bucket\{model="language",le="\+Inf"\} [1-9]\d*$/m);
    assert.match(body, /^moodwire_model_latency_seconds_count\{model="language"\} [1-9]\d*$/m);
    // For autoscalers and dashboards: work in flight per model (none now), the build, the process.
    assert.match(body, /^moodwire_model_in_flight\{model="language"\} 0$/m);
    assert.match(body, /^moodwire_build_info\{version="\d+\.\d+\.\d+[^"]*",node="v\d+[^"]*"\} 1$/m);
    assert.match(body, /^process_resident_memory_bytes \d+$/m);
    assert.match(body, /^process_cpu_seconds_total [\d.]+$/m);
  });
});

describe("capacity: /readyz while full", () => {
  test("/readyz turns 503 when the instance holds --max-connections, and 200 again when one leaves", T, async () => {
    const full = await startTestServer({ maxConnections: 2 });
    try {
      const url = `ws://127.0.0.1:${full.port}/v0/stream/models`;
      const first = await TestSocket.open(url);
      assert.equal((await httpGet(full.port, "/readyz")).status, 200);
      const second = await TestSocket.open(url);
      const readyz = await httpGet(full.port, "/readyz");
      assert.equal(readyz.status, 503);
      assert.match(readyz.body, /full: 2 of 2 connections/);
      await second.close();
      await first.request({ reset_stream: true });
      assert.equal((await httpGet(full.port, "/readyz")).status, 200);
      await first.close();
    } finally {
      await full.shutdown();
    }
  });
});

// --- Authentication and admission at the handshake --------------------------------------------------

describe("raw ws: authentication", () => {
  let server: RunningServer;
  const KEY = "test-key-0123456789";

  before(async () => {
    server = await startTestServer({ apiKeys: [KEY, "second-key"] });
  });
  after(async () => {
    await closeAllSockets();
    await server.shutdown();
  });

  test("a missing or wrong key is refused with HTTP 401", T, async () => {
    assert.equal(await handshakeStatus(server.url), 401);
    assert.equal(await handshakeStatus(server.url, { "X-Hume-Api-Key": "wrong" }), 401);
    assert.equal(await handshakeStatus(`${server.url}?apikey=wrong`), 401);
    assert.equal(await handshakeStatus(`${server.url}?api_key=`), 401);
  });

  test("the key is accepted in X-Hume-Api-Key and in apikey, api_key and apiKey query parameters", T, async () => {
    assert.equal(await handshakeStatus(server.url, { "X-Hume-Api-Key": KEY }), 101);
    assert.equal(await handshakeStatus(server.url, { "x-hume-api-key": "second-key" }), 101);
    for (const name of ["apikey", "api_key", "apiKey"]) {
      assert.equal(await handshakeStatus(`${server.url}?${name}=${encodeURIComponent(KEY)}`), 101, name);
    }
  });

  test("extra query parameters and headers are tolerated", T, async () => {
    const url = `${server.url}?api_key=${KEY}&fernSdkLanguage=JavaScript&fernSdkVersion=0.15.17`;
    const socket = await TestSocket.open(url, { "X-Fern-Language": "Python", "User-Agent": "hume/0.13.11", "X-Hume-Client-Name": "python_sdk" });
    assert.deepEqual(await socket.request({ reset_stream: true }), {});
    await socket.close();
  });

  test("a wrong path is not a WebSocket endpoint", T, async () => {
    const base = server.url.replace(/\/v0\/stream\/models$/, "");
    assert.equal(await handshakeStatus(`${base}/v0/stream/face`, { "X-Hume-Api-Key": KEY }), 404);
  });
});

describe("raw ws: admission", () => {
  test("429 when handshakes per second are exceeded", T, async () => {
    const server = await startTestServer({ handshakesPerSecond: 2 });
    try {
      const statuses = await Promise.all(Array.from({ length: 12 }, () => handshakeStatus(server.url)));
      assert.ok(statuses.includes(101), statuses.join(","));
      assert.ok(statuses.includes(429), statuses.join(","));
      assert.deepEqual([...new Set(statuses)].sort(), [101, 429]);
    } finally {
      await closeAllSockets();
      await server.shutdown();
    }
  });

  test("429 when the connection cap is reached; a slot frees when a connection closes", T, async () => {
    const server = await startTestServer({ maxConnections: 2 });
    try {
      const a = await TestSocket.open(server.url);
      const b = await TestSocket.open(server.url);
      assert.equal(await handshakeStatus(server.url), 429);
      await a.close();
      // The server releases the slot when it sees the close; retry until it has (bounded attempts).
      let status = 0;
      for (let attempt = 0; attempt < 200 && status !== 101; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10));
        status = await handshakeStatus(server.url);
      }
      assert.equal(status, 101);
      await b.close();
    } finally {
      await closeAllSockets();
      await server.shutdown();
    }
  });

  test("refuses to listen on 0.0.0.0 without keys unless insecure", T, async () => {
    await assert.rejects(startTestServer({ host: "0.0.0.0" }), /refusing to listen/);
    const insecure = await startTestServer({ host: "0.0.0.0", insecure: true });
    await insecure.shutdown();
    const keyed = await startTestServer({ host: "0.0.0.0", apiKeys: ["k"] });
    await keyed.shutdown();
  });
});

// --- Limits that need their own server ---------------------------------------------------------------

describe("raw ws: configurable limits", () => {
  test("E0206: text longer than maxTextChars; exactly the limit is fine", T, async () => {
    const server = await startTestServer({ limits: { maxTextChars: 20 } });
    try {
      const socket = await TestSocket.open(server.url);
      const message = assertError(await socket.request({ data: "a".repeat(21), raw_text: true, models: TEXT_MODELS, payload_id: "t" }), "E0206", "t");
      assert.match(message, /20/);
      assert.match(message, /21/);
      // Counted in code points: 20 emoji are 20 characters.
      assertLanguagePredictions(await socket.request({ data: "😀".repeat(20), raw_text: true, models: TEXT_MODELS, payload_id: "ok" }), "ok");
      assertError(await socket.request({ data: b64("b".repeat(25)), models: TEXT_MODELS }), "E0206");
      await socket.close();
    } finally {
      await closeAllSockets();
      await server.shutdown();
    }
  });

  test("E0208: an oversized frame is answered and the connection stays open", T, async () => {
    const server = await startTestServer({ limits: { maxFrameBytes: 4096 } });
    try {
      const socket = await TestSocket.open(server.url);
      const big = JSON.stringify({ data: "x".repeat(6000), raw_text: true, models: TEXT_MODELS, payload_id: "big" });
      const message = assertError(await socket.request(big), "E0208");
      assert.match(message, /4096/);
      assertLanguagePredictions(await socket.request({ data: "small one", raw_text: true, models: TEXT_MODELS, payload_id: "next" }), "next");
      await socket.close();
    } finally {
      await closeAllSockets();
      await server.shutdown();
    }
  });

  test("I0100: a failing model is an internal error; the connection keeps working", T, async () => {
    const server = await startTestServer({ factories: [throwingFactory("language")] });
    try {
      const socket = await TestSocket.open(server.url);
      const reply = await socket.request({ data: "boom", raw_text: true, models: TEXT_MODELS, payload_id: "i", job_details: true });
      assertError(reply, "I0100", "i");
      assert.match((reply.job_details as { job_id: string }).job_id, HEX32);
      assert.deepEqual(await socket.request({ reset_stream: true }), {});
      await socket.close();
      const { body } = await httpGet(server.port, "/metrics");
      assert.match(body, /moodwire_errors_total\{code="I0100"\} 1/);
    } finally {
      await closeAllSockets();
      await server.shutdown();
    }
  });

  test("backpressure: every pipelined frame gets exactly one reply, in order (answered or E0300)", T, async () => {
    const gated = gatedLanguage();
    const server = await startTestServer({ factories: [gated.factory], limits: { maxInFlight: 2 } });
    try {
      const socket = await TestSocket.open(server.url);
      for (let i = 0; i < 12; i++) socket.send({ data: `frame ${i}`, raw_text: true, models: TEXT_MODELS, payload_id: `q${i}` });
      await gated.started;
      gated.release();
      let lastAnswered = -1;
      for (let i = 0; i < 12; i++) {
        const reply = await socket.next();
        // Refused frames still echo their payload_id, so every reply is checked for order.
        assert.equal(reply.payload_id, `q${i}`);
        if (reply.code === "E0300") {
          assertError(reply, "E0300", `q${i}`);
          continue;
        }
        assertLanguagePredictions(reply);
        lastAnswered = i;
      }
      assert.equal(lastAnswered >= 0, true);
      assert.deepEqual(await socket.request({ reset_stream: true, payload_id: "end" }), { payload_id: "end" });
      await socket.close();
    } finally {
      gated.release();
      await closeAllSockets();
      await server.shutdown();
    }
  });

  test("I0101: a model that timed out", T, async () => {
    const server = await startTestServer({ factories: [throwingFactory("language", true)] });
    try {
      const socket = await TestSocket.open(server.url);
      assertError(await socket.request({ data: "slow", raw_text: true, models: TEXT_MODELS, payload_id: "to" }), "I0101", "to");
      assert.deepEqual(await socket.request({ reset_stream: true }), {});
      await socket.close();
    } finally {
      await closeAllSockets();
      await server.shutdown();
    }
  });

  test("idle connections are closed with code 1000", T, async () => {
    const server = await startTestServer({ limits: { idleTimeoutMs: 300 } });
    try {
      const socket = await TestSocket.open(server.url);
      assert.deepEqual(await socket.request({ reset_stream: true }), {});
      const { code } = await socket.closed;
      assert.equal(code, 1000);
    } finally {
      await closeAllSockets();
      await server.shutdown();
    }
  });
});

describe("raw ws: graceful shutdown", () => {
  test("an in-flight request still gets its reply, then the socket closes with 1012 (service restart)", T, async () => {
    const gated = gatedLanguage();
    const server = await startTestServer({ factories: [gated.factory] });
    const socket = await TestSocket.open(server.url);
    try {
      socket.send({ data: "please finish", raw_text: true, models: TEXT_MODELS, payload_id: "inflight" });
      await gated.started;
      const stopping = server.shutdown();
      gated.release();
      const reply = await socket.next();
      assertLanguagePredictions(reply, "inflight");
      const { code } = await socket.closed;
      assert.equal(code, 1012);
      await stopping;
    } finally {
      gated.release();
      await closeAllSockets();
      await server.shutdown();
    }
  });
});
