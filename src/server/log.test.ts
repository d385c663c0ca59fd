// The server's log: one JSON object per line, the events an operator needs, and never payload data
// or an API key.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fakeLanguage, throwingFactory } from "../../tests/support/fake-models.js";
import { handshakeStatus, TestSocket } from "../../tests/conformance/helpers.js";
import { defaultConfig } from "./config.js";
import { createLogger, throttledEvent } from "./log.js";
import { startServer } from "./server.js";

describe("createLogger", () => {
  it("writes JSON lines at its level and above", () => {
    const lines: string[] = [];
    const log = createLogger("warn", (line) => lines.push(line));
    log.info("quiet");
    log.warn("loud", { n: 1 });
    log.error("louder");
    assert.deepEqual(lines.map((l) => JSON.parse(l) as Record<string, unknown>).map(({ level, event, n }) => ({ level, event, n })), [
      { level: "warn", event: "loud", n: 1 },
      { level: "error", event: "louder", n: undefined },
    ]);
    assert.match((JSON.parse(lines[0]!) as { time: string }).time, /^\d{4}-\d\d-\d\dT/);
    const silent: string[] = [];
    createLogger("silent", (line) => silent.push(line)).error("nothing");
    assert.deepEqual(silent, []);
  });
});

describe("throttledEvent", () => {
  it("writes at most perWindow lines per window and reports how many it left out", () => {
    const lines: Record<string, unknown>[] = [];
    let clock = 0;
    const refused = throttledEvent(createLogger("info", (line) => lines.push(JSON.parse(line) as Record<string, unknown>)), "handshake_refused", 3, 1000, () => clock);
    for (let i = 0; i < 1000; i++) refused({ status: 401 });
    assert.equal(lines.length, 3);
    clock = 1000;
    refused({ status: 401 });
    assert.equal(lines.length, 4);
    assert.equal(lines[3]!.suppressed, 997);
    refused({ status: 401 });
    assert.equal(lines[4]!.suppressed, undefined);
  });
});

describe("server log", () => {
  it("logs start, load, refused handshakes, timeouts and shutdown, with no payload and no key", async () => {
    const lines: string[] = [];
    const secretText = "my-very-private-diary-entry";
    const secretKey = "sk-do-not-log-me";
    const server = await startServer(
      { ...defaultConfig(), port: 0, workers: 1, apiKeys: ["the-real-key"], models: ["language", "prosody"], logLevel: "debug" },
      { factories: [fakeLanguage, throwingFactory("prosody", true)], log: (line) => lines.push(line) },
    );
    try {
      const base = `ws://127.0.0.1:${server.port}`;
      assert.equal(await handshakeStatus(`${base}/v0/stream/models`, { "X-Hume-Api-Key": secretKey }), 401);
      assert.equal(await handshakeStatus(`${base}/elsewhere`), 404);
      const socket = await TestSocket.open(`${base}/v0/stream/models`, { "X-Hume-Api-Key": "the-real-key" });
      await socket.request({ data: secretText, raw_text: true, models: { language: {} } });
      const timedOut = await socket.request({ data: Buffer.from(secretText).toString("base64"), models: { prosody: {} } });
      assert.ok("error" in timedOut);
      await socket.close();
    } finally {
      await server.shutdown();
    }
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const events = entries.map((e) => e.event);
    for (const event of ["listening", "models_loaded", "handshake_refused", "shutting_down", "stopped"]) assert.ok(events.includes(event), `${event} in ${events.join(", ")}`);
    const refused = entries.filter((e) => e.event === "handshake_refused").map(({ status, path }) => ({ status, path }));
    assert.deepEqual(refused, [{ status: 401, path: "/v0/stream/models" }, { status: 404, path: "/elsewhere" }]);
    for (const line of lines) {
      assert.ok(!line.includes(secretText) && !line.includes(Buffer.from(secretText).toString("base64")), `payload data in the log: ${line}`);
      assert.ok(!line.includes(secretKey) && !line.includes("the-real-key"), `an API key in the log: ${line}`);
    }
  });
});
