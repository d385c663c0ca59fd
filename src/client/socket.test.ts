import assert from "node:assert/strict";
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import {
  connect,
  isWarning,
  predictionsOf,
  StreamConnectionError,
  StreamError,
  StreamSocket,
  streamUrl,
  toWireModels,
  warningsOf,
  type LanguagePrediction,
} from "./index.js";
import { startFakeServer, type FakeServer } from "./fake-server.testkit.js";

describe("StreamSocket against a fake server", () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer({ apiKey: "secret", delayMs: (n) => (n % 3 === 0 ? 15 : 0) });
  });
  after(() => server.close());

  it("pipelines sends and resolves each with its own reply, in order", async () => {
    const socket = await connect({ url: server.url, apiKey: "secret", config: { language: { granularity: "word" } } });
    try {
      const texts = Array.from({ length: 12 }, (_, i) => `message number ${i}`);
      const replies = await Promise.all(texts.map((t) => socket.sendText(t)));
      replies.forEach((reply, i) => {
        const words = predictionsOf(reply, "language").map((p) => p.text);
        assert.deepEqual(words, ["message", "number", String(i)]);
      });
      const frames = server.frames.slice(-12);
      assert.deepEqual(
        replies.map((r) => r.payload_id),
        frames.map((f) => f.payload_id),
      );
      assert.equal(new Set(frames.map((f) => f.payload_id)).size, 12);
      for (const frame of frames) {
        assert.equal(frame.raw_text, true);
        assert.deepEqual(frame.models, { language: { granularity: "word" } });
      }
    } finally {
      await socket.close();
    }
  });

  it("keeps call order on the wire for mixed byte and text sends", async () => {
    const socket = await connect({ url: server.url, apiKey: "secret", config: { language: {} } });
    try {
      const before = server.frames.length;
      const sends = [socket.sendText("a"), socket.sendFile(Buffer.from("b")), socket.sendText("c"), socket.sendFile(new Uint8Array([100]))];
      await Promise.allSettled(sends);
      const data = server.frames.slice(before).map((f) => (f.raw_text === true ? f.data : Buffer.from(String(f.data), "base64").toString()));
      assert.deepEqual(data, ["a", "b", "c", "d"]);
    } finally {
      await socket.close();
    }
  });

  it("takes Hume's TypeScript SDK arguments too: sendText({ text, config }), sendFile({ file }), sendFacemesh({ landmarks })", async () => {
    const socket = await connect({ url: server.url, apiKey: "secret", config: { language: {} } });
    const dir = mkdtempSync(join(tmpdir(), "moodwire-client-"));
    try {
      const before = server.frames.length;
      const path = join(dir, "note.txt");
      writeFileSync(path, "from a stream");
      await socket.sendText({ text: "hello", config: { language: { granularity: "word" } } });
      // One at a time: a stream is read before it is sent, so it would go out after later byte sends.
      for (const send of [
        () => socket.sendFile({ file: Buffer.from("bytes") }),
        () => socket.sendFile({ file: createReadStream(path) }),
        () => socket.sendFacemesh({ landmarks: [[[0, 0, 0]]], config: { facemesh: {} } }),
      ]) await send().catch(() => undefined);
      const frames = server.frames.slice(before);
      assert.deepEqual(frames[0], { ...frames[0], data: "hello", raw_text: true, models: { language: { granularity: "word" } } });
      const decoded = frames.slice(1).map((f) => Buffer.from(String(f.data), "base64").toString());
      assert.deepEqual(decoded, ["bytes", "from a stream", "[[[0,0,0]]]"]);
      // A config given with the call is kept for later sends, as with positional arguments.
      assert.deepEqual(frames.at(-1)!.models, { facemesh: {} });
    } finally {
      await socket.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects error replies with a typed StreamError and keeps the connection usable", async () => {
    const socket = await connect({ url: server.url, apiKey: "secret", config: { language: {} } });
    try {
      const failing = socket.sendText("ERROR please");
      const ok = socket.sendText("fine");
      await assert.rejects(failing, (error: unknown) => {
        assert.ok(error instanceof StreamError);
        assert.equal(error.code, "E0101");
        assert.match(error.message, /Fake failure/);
        assert.equal(typeof error.payloadId, "string");
        return true;
      });
      assert.equal(predictionsOf(await ok, "language").length, 1);
    } finally {
      await socket.close();
    }
  });

  it("answers reset and job details, and exposes nested warnings", async () => {
    const socket = await connect({ url: server.url, apiKey: "secret", config: { language: {} } });
    try {
      const reset = socket.reset();
      const job = socket.getJobDetails();
      const job2 = socket.getJobDetails();
      const warned = socket.sendText("   ");
      const resetReply = await reset;
      assert.deepEqual(Object.keys(resetReply).filter((k) => k !== "payload_id"), []);
      const jobId = await job;
      assert.match(jobId, /^[0-9a-f]{32}$/);
      assert.equal(await job2, jobId);
      const reply = await warned;
      assert.ok(isWarning(reply.language));
      assert.deepEqual(warningsOf(reply), [{ model: "language", warning: "No emotional language detected.", code: "W0104" }]);
      assert.equal(predictionsOf(reply, "language").length, 0);
      const controls = server.frames.slice(-4, -1);
      assert.equal(controls[0]?.reset_stream, true);
      assert.equal(controls[0]?.models, undefined);
      assert.equal(controls[1]?.job_details, true);
    } finally {
      await socket.close();
    }
  });

  it("fails to connect with a clear error on HTTP 401", async () => {
    await assert.rejects(connect({ url: server.url, apiKey: "wrong", config: {} }), (error: unknown) => {
      assert.ok(error instanceof StreamConnectionError);
      assert.equal(error.status, 401);
      assert.match(error.message, /authentication failed \(HTTP 401\)/);
      return true;
    });
    // Sends on a socket that never opens reject with the same error.
    const socket = new StreamSocket({ url: server.url, config: { language: {} } });
    await assert.rejects(socket.sendText("hello"), /authentication failed \(HTTP 401\)/);
  });

  it("waits for open before sending", async () => {
    const socket = new StreamSocket({ url: server.url, apiKey: "secret", config: { language: {} } });
    assert.equal(socket.readyState, "connecting");
    const reply = await socket.sendText("early bird");
    assert.equal(predictionsOf(reply, "language").length, 2);
    await socket.close();
  });

  it("replaces the stored config when a send passes one, in snake_case", async () => {
    const socket = await connect({ url: server.url, apiKey: "secret", config: { language: {} }, streamWindowMs: 2000 });
    try {
      await socket.sendText("a", { language: { granularity: "sentence", sentiment: {} }, face: { identifyFaces: true, fpsPred: 2, facs: {} } });
      await socket.sendText("b");
      const [first, second] = server.frames.slice(-2);
      const expected = { language: { granularity: "sentence", sentiment: {} }, face: { identify_faces: true, fps_pred: 2, facs: {} } };
      assert.deepEqual(first?.models, expected);
      assert.deepEqual(second?.models, expected);
      assert.equal(first?.stream_window_ms, 2000);
    } finally {
      await socket.close();
    }
  });

  it("sends Buffer, Blob and path inputs as plain base64, and facemesh as base64 JSON", async () => {
    const dir = await mkdtemp(join(tmpdir(), "moodwire-client-"));
    const socket = await connect({ url: server.url, apiKey: "secret", config: { prosody: {} } });
    try {
      const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 65, 66, 67]);
      const path = join(dir, "clip.bin");
      await writeFile(path, bytes);
      const expected = bytes.toString("base64");
      // Not audio, so each is answered with E0200; only the frames matter here.
      const inputs = [bytes, new Uint8Array(bytes), new Blob([bytes]), path, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)];
      for (const input of inputs) {
        await assert.rejects(socket.sendFile(input), (e: unknown) => e instanceof StreamError && e.code === "E0200");
        const frame = server.frames.at(-1);
        assert.equal(frame?.data, expected);
        assert.equal(frame?.raw_text, false);
      }
      const landmarks = [[[0.1, 0.2, 0.3]]];
      await socket.sendFacemesh(landmarks, { facemesh: {} }).catch(() => undefined);
      const frame = server.frames.at(-1);
      assert.deepEqual(JSON.parse(Buffer.from(String(frame?.data), "base64").toString("utf8")), landmarks);
      assert.deepEqual(frame?.models, { facemesh: {} });
    } finally {
      await socket.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("StreamSocket closing", () => {
  it("rejects every pending request when the server closes the socket", async () => {
    const server = await startFakeServer({ silent: true });
    const closes: number[] = [];
    try {
      const socket = await connect({ url: server.url, config: { language: {} }, onClose: (e) => closes.push(e.code) });
      const pending = [socket.sendText("one"), socket.sendText("two"), socket.getJobDetails()];
      while (server.frames.length < 3) await new Promise((r) => setImmediate(r));
      server.dropAll(1011);
      for (const p of pending) {
        await assert.rejects(p, (error: unknown) => {
          assert.ok(error instanceof StreamConnectionError);
          assert.match(error.message, /closed \(code 1011: dropped by test\) before a reply arrived/);
          return true;
        });
      }
      assert.deepEqual(closes, [1011]);
      await assert.rejects(socket.sendText("after"), StreamConnectionError);
    } finally {
      await server.close();
    }
  });

  it("rejects pending requests when the client closes", async () => {
    const server = await startFakeServer({ silent: true });
    try {
      const socket = await connect({ url: server.url, config: { language: {} } });
      const pending = socket.sendText("waiting");
      while (server.frames.length < 1) await new Promise((r) => setImmediate(r));
      await socket.close();
      await assert.rejects(pending, /closed by the client/);
      assert.equal(socket.readyState, "closed");
    } finally {
      await server.close();
    }
  });

  it("after the server closes an idle connection normally (1000), the next send opens a new one", async () => {
    const server = await startFakeServer();
    try {
      const closes: number[] = [];
      let reconnects = 0;
      const socket = await connect({ url: server.url, config: { language: {} }, onClose: (e) => closes.push(e.code), onReconnect: () => reconnects++ });
      const firstJob = await socket.getJobDetails();
      const firstSocket = socket.websocket;
      server.dropAll(1000);
      while (socket.readyState !== "closed") await new Promise((r) => setImmediate(r));
      // Two sends at once share the one new connection, and keep their order.
      const [a, b] = await Promise.all([socket.sendText("again"), socket.sendText("and again")]);
      assert.deepEqual([predictionsOf(a, "language").length, predictionsOf(b, "language").length], [1, 2]);
      assert.equal(reconnects, 1);
      assert.equal(server.connections, 2);
      assert.notEqual(socket.websocket, firstSocket);
      assert.notEqual(await socket.getJobDetails(), firstJob, "a new connection is a new job");
      assert.deepEqual(closes, [1000]);
      await socket.close();
    } finally {
      await server.close();
    }
  });

  it("after a server restart close (1012, a draining instance) or going away (1001), the next send reconnects too", async () => {
    const server = await startFakeServer();
    try {
      let reconnects = 0;
      const socket = await connect({ url: server.url, config: { language: {} }, onReconnect: () => reconnects++ });
      for (const code of [1012, 1001]) {
        await socket.sendText("before");
        server.dropAll(code);
        while (socket.readyState !== "closed") await new Promise((r) => setImmediate(r));
        assert.equal(predictionsOf(await socket.sendText("after"), "language").length, 1, `after ${code}`);
      }
      assert.equal(reconnects, 2);
      await socket.close();
    } finally {
      await server.close();
    }
  });

  it("after 1012 (a draining server), requests still waiting go again on a new connection, in order", async () => {
    // The first connection holds its replies back long enough for the close to come first.
    const server = await startFakeServer({ delayMs: (index) => (index < 2 ? 2000 : 0) });
    try {
      let reconnects = 0;
      const socket = await connect({ url: server.url, config: { language: {} }, onReconnect: () => reconnects++ });
      const waiting = [socket.sendText("one"), socket.sendText("one two")];
      while (server.frames.length < 2) await new Promise((r) => setTimeout(r, 5));
      server.dropAll(1012);
      const later = socket.sendText("one two three");
      const replies = await Promise.all([...waiting, later]);
      assert.deepEqual(replies.map((r) => predictionsOf(r, "language").length), [1, 2, 3]);
      assert.equal(reconnects, 1);
      assert.equal(server.connections, 2);
      await socket.close();
    } finally {
      await server.close();
    }
  });

  it("does not reconnect when told not to, nor after an error close", async () => {
    const server = await startFakeServer();
    try {
      const quiet = await connect({ url: server.url, config: { language: {} }, reconnect: false });
      const failed = await connect({ url: server.url, config: { language: {} } });
      server.dropAll(1000);
      while (quiet.readyState !== "closed") await new Promise((r) => setImmediate(r));
      await assert.rejects(quiet.sendText("no"), StreamConnectionError);
      await failed.sendText("reconnected").then(() => server.dropAll(1011));
      while (failed.readyState !== "closed") await new Promise((r) => setImmediate(r));
      await assert.rejects(failed.sendText("no"), /code 1011/);
    } finally {
      await server.close();
    }
  });

  it("reports a refused connection", async () => {
    const server = await startFakeServer();
    const url = server.url;
    await server.close();
    await assert.rejects(connect({ url, config: {} }), (error: unknown) => error instanceof StreamConnectionError && /could not connect/.test(error.message));
  });
});

describe("streamUrl", () => {
  it("takes the endpoint or a base URL as Hume's SDKs do", () => {
    for (const [given, expected] of [
      ["ws://127.0.0.1:8000/v0/stream/models", "ws://127.0.0.1:8000/v0/stream/models"],
      ["ws://127.0.0.1:8000", "ws://127.0.0.1:8000/v0/stream/models"],
      ["http://127.0.0.1:8000/", "ws://127.0.0.1:8000/v0/stream/models"],
      ["https://moodwire.example", "wss://moodwire.example/v0/stream/models"],
      ["ws://127.0.0.1:8000/v0/stream", "ws://127.0.0.1:8000/v0/stream/models"],
      ["wss://proxy.example/emotion/v0/stream/models?x=1", "wss://proxy.example/emotion/v0/stream/models?x=1"],
    ]) assert.equal(streamUrl(given!), expected, given);
    assert.throws(() => streamUrl("ftp://127.0.0.1:8000"), /must start with ws:\/\/, wss:\/\/, http:\/\/ or https:\/\//);
  });

  it("connects through a base URL", async () => {
    const server = await startFakeServer();
    try {
      const socket = await connect({ url: server.url.replace("/v0/stream/models", "").replace("ws:", "http:"), config: { language: {} } });
      assert.equal(socket.url, server.url);
      assert.equal(predictionsOf(await socket.sendText("hi"), "language").length, 1);
      await socket.close();
    } finally {
      await server.close();
    }
  });
});

describe("toWireModels", () => {
  it("converts Hume-style camelCase and keeps snake_case", () => {
    assert.deepEqual(
      toWireModels({ face: { minFaceSize: 40, prob_threshold: 0.5, facs: undefined }, burst: {}, language: undefined }),
      { face: { min_face_size: 40, prob_threshold: 0.5 }, burst: {} },
    );
  });
});

// Type-level check: predictions are typed per model.
const _typed = (p: LanguagePrediction): number => p.position.begin;
void _typed;
