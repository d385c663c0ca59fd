// The real model's timeout path, in a server child process: a payload that runs past --task-timeout-ms
// costs that payload an I0101 and nothing else. Terminating a worker inside onnxruntime's native run used
// to abort the whole process ("terminate called after throwing an instance of 'Napi::Error'"), on every
// timeout and at a shutdown that reached its grace period while a model ran.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { closeAllSockets, metricSample, httpGet, TestSocket } from "../conformance/helpers.js";
import { realLanguageInstalled } from "../support/fake-models.js";
import { startServerProcess, type ServerProcess } from "./server-process.js";

/** ~1,900 words at word granularity: several hundred milliseconds of model time, far past 100 ms. */
const LONG_TEXT = "hello world, how are you today? ".repeat(300);
const SHORT_TEXT = "What a lovely day.";

function textRequest(text: string, payloadId: string): unknown {
  return { payload_id: payloadId, data: text, raw_text: true, models: { language: { granularity: "word" } } };
}


describe("model timeouts with the real language model (server child process)", { skip: !realLanguageInstalled() && "the language model's weights are not installed" }, () => {
  let server: ServerProcess;

  before(async () => {
    server = await startServerProcess(["--task-timeout-ms", "100", "--shutdown-grace-ms", "0", "--isolate-models"]);
  });

  after(async () => {
    await closeAllSockets();
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
  });

  it("answers timed-out payloads I0101 while other connections keep being answered, and stays up", async () => {
    const slow = await TestSocket.open(server.url);
    const others = await Promise.all([TestSocket.open(server.url), TestSocket.open(server.url)]);
    const slowReplies = (async () => {
      const codes: unknown[] = [];
      for (let i = 0; i < 4; i++) codes.push((await slow.request(textRequest(LONG_TEXT, `long-${i}`))).code);
      return codes;
    })();
    const otherReplies = Promise.all(
      others.map(async (socket, k) => {
        const replies = [];
        for (let i = 0; i < 10; i++) replies.push(await socket.request(textRequest(SHORT_TEXT, `short-${k}-${i}`)));
        return replies;
      }),
    );
    assert.deepEqual(await slowReplies, ["I0101", "I0101", "I0101", "I0101"]);
    for (const reply of (await otherReplies).flat()) assert.ok(typeof reply.language === "object", JSON.stringify(reply).slice(0, 300));
    // The timed-out runs finish in retired workers; the process must outlive them.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(server.child.exitCode, null, server.stderr());
    assert.equal(server.child.signalCode, null, server.stderr());
    const after = await slow.request(textRequest(SHORT_TEXT, "after"));
    assert.ok(typeof after.language === "object", JSON.stringify(after).slice(0, 300));
    const metrics = await httpGet(server.port, "/metrics");
    assert.ok(metricSample(metrics.body, 'moodwire_errors_total{code="I0101"}') >= 4, metrics.body);
    assert.ok(metricSample(metrics.body, "moodwire_worker_restarts") >= 4, metrics.body);
    assert.doesNotMatch(server.stderr(), /terminate called|Aborted/);
  });

  it("shuts down cleanly on SIGTERM while a model is running past its grace period", async () => {
    const socket = await TestSocket.open(server.url);
    socket.send(textRequest(LONG_TEXT, "running-at-shutdown"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    server.child.kill("SIGTERM");
    const { code, signal } = await server.exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, server.stderr());
    assert.doesNotMatch(server.stderr(), /terminate called|Aborted/);
  });
});
