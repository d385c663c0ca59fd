// Flow control and lifecycle under careless or hostile clients (issue 13): slots freed by refused
// upgrades, replies a client does not read, pipelined small frames, the server-wide in-flight budget,
// /readyz while draining, and close codes in /metrics. Models are test doubles; no timing assertions.

import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, describe, test } from "node:test";
import { closeAllSockets, metricSample, handshakeStatus, httpGet, startTestServer, TestSocket, type Reply } from "../../tests/conformance/helpers.js";
import { gatedLanguage } from "../../tests/support/fake-models.js";
import type { RunningServer } from "./server.js";

const T = { timeout: 60_000 };
const WORDS = { language: { granularity: "word" } };


async function metricValue(server: RunningServer, series: string): Promise<number> {
  return metricSample((await httpGet(server.port, "/metrics")).body, series);
}

/** Sends a raw HTTP upgrade request and resolves with the status line once the server closes the socket. */
function rawUpgrade(port: number, headers: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`GET /v0/stream/models HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`));
    let response = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (response += chunk));
    socket.on("close", () => resolve(response.split("\r\n")[0] ?? ""));
    socket.on("error", reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("reliability", () => {
  after(closeAllSockets);

  test("upgrades that ws itself refuses free their connection slot", T, async () => {
    const server = await startTestServer({ maxConnections: 3, maxConnectionsPerClient: 3 });
    try {
      for (let i = 0; i < 10; i++) {
        // What `curl --http2` sends, and a WebSocket upgrade with a malformed key.
        assert.match(await rawUpgrade(server.port, "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"), /^HTTP\/1\.1 400/);
        assert.match(await rawUpgrade(server.port, "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n"), /^HTTP\/1\.1 400/);
      }
      const sockets = await Promise.all([1, 2, 3].map(() => TestSocket.open(server.url)));
      assert.equal(await handshakeStatus(server.url), 429, "the three real connections hold the three slots");
      await Promise.all(sockets.map((s) => s.close()));
    } finally {
      await server.shutdown();
    }
  });

  test("a client that does not read its replies holds back the processing of further frames", T, async () => {
    const server = await startTestServer({});
    try {
      const socket = await TestSocket.open(server.url);
      const text = Array.from({ length: 100 }, (_, i) => `word${i}`).join(" "); // ~200 KB reply each
      const frames = 200;
      (socket.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
      for (let i = 0; i < frames; i++) socket.send({ data: text, raw_text: true, models: WORDS, payload_id: `p${i}` });
      let replies = -1;
      for (let i = 0; i < 20; i++) {
        await sleep(100);
        const now = await metricValue(server, 'moodwire_replies_total{outcome="ok"}');
        if (now === replies) break; // settled: the server is holding back
        replies = now;
      }
      assert.ok(replies < frames / 2, `${replies} of ${frames} replies were produced for a client that reads nothing`);
      (socket.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      for (let i = 0; i < frames; i++) assert.equal((await socket.next()).payload_id, `p${i}`);
      await socket.close();
    } finally {
      await server.shutdown();
    }
  });

  test("thousands of small pipelined frames all queue and are answered (no E0300)", T, async () => {
    const server = await startTestServer({});
    try {
      const socket = await TestSocket.open(server.url);
      const frames = 3000;
      for (let i = 0; i < frames; i++) socket.send(i % 2 === 0 ? { job_details: true, payload_id: `j${i}` } : { data: "small text", raw_text: true, models: WORDS, payload_id: `j${i}` });
      const codes = new Map<string, number>();
      for (let i = 0; i < frames; i++) {
        const reply: Reply = await socket.next();
        assert.equal(reply.payload_id, `j${i}`);
        const code = typeof reply.code === "string" ? reply.code : "ok";
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      assert.deepEqual([...codes], [["ok", frames]]);
      await socket.close();
    } finally {
      await server.shutdown();
    }
  });

  test("past the server-wide in-flight budget, every connection stops reading until replies catch up", T, async () => {
    const gated = gatedLanguage();
    const server = await startTestServer({ factories: [gated.factory], maxPendingBytes: 1024 * 1024 });
    try {
      const heavy = await TestSocket.open(server.url);
      const other = await TestSocket.open(server.url);
      heavy.send({ data: "held at the model", raw_text: true, models: WORDS, payload_id: "first" });
      await gated.started;
      const padding = "x".repeat(700 * 1024);
      heavy.send({ payload_id: "big-1", padding });
      heavy.send({ payload_id: "big-2", padding });
      while ((await metricValue(server, "moodwire_messages_total")) < 3) await sleep(10);
      assert.ok((await metricValue(server, "moodwire_pending_bytes")) > 1024 * 1024);
      other.send({ job_details: true, payload_id: "waits" });
      await sleep(300);
      assert.equal(await metricValue(server, "moodwire_messages_total"), 3, "the other connection's frame is not read while the budget is spent");
      gated.release();
      assert.equal((await other.next()).payload_id, "waits");
      assert.deepEqual([(await heavy.next()).payload_id, (await heavy.next()).code, (await heavy.next()).code], ["first", "E0101", "E0101"]);
      assert.equal(await metricValue(server, "moodwire_pending_bytes"), 0);
    } finally {
      gated.release();
      await closeAllSockets();
      await server.shutdown();
    }
  });

  test("large frames arriving on many connections at once take turns within the budget, and all are answered", T, async () => {
    const server = await startTestServer({ maxPendingBytes: 1024 * 1024 });
    try {
      const sockets = await Promise.all(Array.from({ length: 6 }, () => TestSocket.open(server.url)));
      const padding = "x".repeat(900 * 1024);
      sockets.forEach((socket, i) => socket.send({ payload_id: `big-${i}`, padding }));
      const replies = await Promise.all(sockets.map((socket) => socket.next()));
      assert.deepEqual(replies.map((r) => [r.payload_id, r.code]), sockets.map((_, i) => [`big-${i}`, "E0101"]));
      assert.equal(await metricValue(server, "moodwire_pending_bytes"), 0);
      await Promise.all(sockets.map((socket) => socket.close()));
    } finally {
      await server.shutdown();
    }
  });

  test("while draining at shutdown, /readyz answers 503 and new handshakes are refused with 503", T, async () => {
    const gated = gatedLanguage();
    const server = await startTestServer({ factories: [gated.factory] });
    try {
      const socket = await TestSocket.open(server.url);
      socket.send({ data: "finish me", raw_text: true, models: WORDS, payload_id: "inflight" });
      await gated.started;
      const stopping = server.shutdown();
      const ready = await httpGet(server.port, "/readyz");
      assert.deepEqual([ready.status, ready.body], [503, "shutting down\n"]);
      assert.equal((await httpGet(server.port, "/healthz")).status, 200);
      assert.equal(await handshakeStatus(server.url), 503);
      gated.release();
      assert.equal((await socket.next()).payload_id, "inflight");
      assert.equal((await socket.closed).code, 1012);
      await stopping;
    } finally {
      gated.release();
      await closeAllSockets();
      await server.shutdown();
    }
  });

  test("/metrics counts closes by code: 1009 for an oversized frame, 1000 for idle", T, async () => {
    const server = await startTestServer({ limits: { maxFrameBytes: 1024, idleTimeoutMs: 300 } });
    try {
      const big = await TestSocket.open(server.url);
      big.send("x".repeat(4096));
      assert.equal((await big.closed).code, 1009);
      const idle = await TestSocket.open(server.url);
      assert.equal((await idle.closed).code, 1000);
      await sleep(50);
      const { body } = await httpGet(server.port, "/metrics");
      assert.equal(metricSample(body, 'moodwire_connections_closed_total{code="1009"}'), 1, body);
      assert.equal(metricSample(body, 'moodwire_connections_closed_total{code="1000"}'), 1, body);
    } finally {
      await server.shutdown();
    }
  });
});
