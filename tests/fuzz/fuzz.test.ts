// The CI-bounded bad-input suite: 1,500 generated frames with a fixed seed (the full 10,000 run is
// `npm run test:fuzz`). Asserts the invariants; no timing assertions.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WebSocket } from "ws";
import { frameGenerator } from "./frames.js";
import { checkReply, expectedPayloadId, fuzzFactories, fuzzServerConfig, runFuzz } from "./run.js";
import { mediaSeeds } from "./seeds.js";
import { startServer } from "../../src/server/server.js";

const FRAMES = 1500;
const SEED = 20_260_525;

describe("bad-input fuzz (bounded)", () => {
  it("is deterministic: frame i depends only on (seed, i)", async () => {
    const seeds = await mediaSeeds();
    const options = { seed: SEED, seeds, maxFrameBytes: 1 << 20, maxTextChars: 10_000, maxFacemeshFaces: 10 };
    const a = frameGenerator(options);
    const b = frameGenerator(options);
    for (const i of [0, 1, 77, 1499, 123_456]) {
      const x = a(i);
      const y = b(i);
      assert.equal(x.kind, y.kind);
      assert.ok(typeof x.data === "string" ? x.data === y.data : Buffer.isBuffer(y.data) && x.data.equals(y.data));
    }
    // The mix covers every family.
    const families = new Set(Array.from({ length: FRAMES }, (_, i) => a(i).kind.split(".")[0]));
    for (const family of ["json", "field", "key", "base64", "text", "image", "audio", "video", "polyglot", "facemesh", "binary", "control"]) {
      assert.ok(families.has(family), `no '${family}' frames in ${FRAMES}`);
    }
  });

  it(`answers ${FRAMES} hostile frames, one coded JSON reply each, in order, and stays up`, async () => {
    const result = await runFuzz({ frames: FRAMES, seed: SEED, connections: 4, inFlight: 8 });
    const report = JSON.stringify({ violations: result.violations.slice(0, 20), internal: result.internal_errors.slice(0, 20) }, null, 1);
    assert.equal(result.replies, FRAMES, report);
    assert.deepEqual(result.internal_errors, [], report);
    assert.deepEqual(result.violations, [], report);
    assert.equal(result.server_up.healthz, true);
    assert.equal(result.server_up.final_reply, true);
    for (const code of Object.keys(result.codes)) assert.match(code, /^([EW]\d{4}|ok)$/);
    // The suite exercises real rejections, not just one path.
    for (const code of ["E0100", "E0101", "E0200", "E0201", "E0207", "E0208"]) assert.ok((result.codes[code] ?? 0) > 0, `no ${code} replies`);
    // RSS is reported, and bounded by a generous ceiling (a leak of the frames themselves would exceed it).
    assert.ok(result.rss_mb.peak < 1536, `peak RSS ${result.rss_mb.peak} MB`);
  });

  it("checkReply rejects malformed replies", () => {
    assert.deepEqual(checkReply(Buffer.from('{"error":"x","code":"E0101"}'), false).problems, []);
    assert.ok(checkReply(Buffer.from('{"error":"x","code":"E101"}'), false).problems.length > 0);
    assert.ok(checkReply(Buffer.from('{"error":"x"}'), false).problems.length > 0);
    assert.ok(checkReply(Buffer.from('{"language":{"warning":"w","code":7}}'), false).problems.length > 0);
    assert.ok(checkReply(Buffer.from("[]"), false).problems.length > 0);
    assert.ok(checkReply(Buffer.from("{}"), true).problems.length > 0);
    assert.equal(expectedPayloadId('{"payload_id":"a","payload_id":"b"}', 100), "b");
    assert.equal(expectedPayloadId('{"payload_id":"a"}', 5), undefined);
  });

  it("closes frames past twice the frame limit (1009) and non-UTF-8 text frames (1007), and keeps serving", async () => {
    const config = fuzzServerConfig({ limits: { maxFrameBytes: 1024 } });
    const server = await startServer(config, { factories: fuzzFactories({}).factories, log: () => {} });
    try {
      const code = await new Promise<number>((resolve) => {
        const ws = new WebSocket(server.url);
        ws.on("open", () => ws.send("x".repeat(4096)));
        ws.on("close", (c) => resolve(c));
        ws.on("error", () => {});
      });
      assert.equal(code, 1009);
      const reply = await new Promise<string>((resolve) => {
        const ws = new WebSocket(server.url);
        ws.on("open", () => ws.send('{"payload_id":"after","job_details":true}'));
        ws.on("message", (data) => {
          resolve(data.toString());
          ws.close();
        });
      });
      assert.equal(JSON.parse(reply).payload_id, "after");
      // A text frame that is not UTF-8 fails the connection with 1007 (RFC 6455 §8.1), no reply; binary frames
      // with the same bytes are answered (E0100) by the fuzz run above.
      const invalidUtf8 = await new Promise<number>((resolve) => {
        const ws = new WebSocket(server.url);
        ws.on("open", () => ws.send(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), { binary: false }));
        ws.on("close", (c) => resolve(c));
        ws.on("error", () => {});
      });
      assert.equal(invalidUtf8, 1007);
    } finally {
      await server.shutdown();
    }
  });
});
