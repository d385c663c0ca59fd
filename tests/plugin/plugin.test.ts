// The plug-in contract (issue 14): models that read images and the audio window plug in by their factory
// alone, and the server, the session and the worker pool do the rest.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RunningServer } from "../../src/server/server.js";
import { b64, closeAllSockets, startTestServer, TestSocket } from "../conformance/helpers.js";
import { greyPng, toneWav } from "../support/media.js";
import { brightnessFace, energyProsody } from "./demo-models.js";

describe("a model plugged in by its factory alone", () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({ factories: [brightnessFace, energyProsody] });
  });
  after(async () => {
    await closeAllSockets();
    await server.shutdown();
  });

  it("reads decoded images through the shared worker pool", async () => {
    const socket = await TestSocket.open(server.url);
    const reply = await socket.request({ payload_id: "img", data: b64(greyPng(32, 24)), models: { face: {} } });
    const [prediction] = (reply.face as { predictions: { emotions: { score: number }[] }[] }).predictions;
    assert.ok(Math.abs(prediction!.emotions[0]!.score - 128 / 255) < 1e-6, JSON.stringify(reply));
  });

  it("reads the connection's audio window, which grows across payloads and empties on reset_stream", async () => {
    const socket = await TestSocket.open(server.url);
    const wav = b64(toneWav({ seconds: 1 }));
    type Timed = { predictions: { time: { begin: number; end: number }; emotions: { score: number }[] }[] };
    const times = async (extra: Record<string, unknown> = {}) => {
      const reply = await socket.request({ data: wav, models: { prosody: {} }, stream_window_ms: 5000, ...extra });
      const item = (reply.prosody as Timed).predictions[0]!;
      assert.ok(item.emotions[0]!.score > 0.01, "a real energy from the samples");
      return [item.time.begin, item.time.end];
    };
    assert.deepEqual(await times(), [0, 1]);
    assert.deepEqual(await times(), [0, 2], "the second payload sees the first as context");
    assert.deepEqual(await times({ reset_stream: true }), [2, 3], "reset empties the window; the timeline runs on");
  });
});
