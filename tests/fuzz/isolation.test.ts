// Crash isolation (issue 5): a model worker that dies or throws turns into I0100 for that payload only,
// the worker is restarted, other connections are unaffected, and the same connection goes on.
// Uses a test-double model (defined here, never shipped) over the real WorkerPool and a crashing kernel.

import assert from "node:assert/strict";
import { get } from "node:http";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import { NO_DECODE_NEEDS } from "../../src/media/types.js";
import type { ExpressionModel, ModelFactory, ModelRuntimeOptions } from "../../src/models/types.js";
import type { LanguagePrediction, ModelOutput } from "../../src/protocol/index.js";
import type { KernelHandle, WorkerPool } from "../../src/runtime/worker-pool.js";
import { startServer, type RunningServer } from "../../src/server/server.js";
import { CRASH_EXIT, CRASH_THROW, HANG, SLOW, type CrashInput, type CrashOutput } from "./fixtures/crash-kernel.js";
import { fuzzServerConfig } from "./run.js";

const KERNEL_URL = new URL("./fixtures/crash-kernel.js", import.meta.url).href;

class CrashModel implements ExpressionModel<"language"> {
  readonly name = "language" as const;
  readonly pool: WorkerPool;
  private readonly kernel: KernelHandle<CrashInput, CrashOutput>;
  constructor(options: ModelRuntimeOptions) {
    this.pool = options.pool;
    this.kernel = options.pool.add<CrashInput, CrashOutput>({ url: KERNEL_URL });
  }
  async load(): Promise<void> {}
  async predict(media: Parameters<ExpressionModel["predict"]>[0]): Promise<ModelOutput<LanguagePrediction>> {
    if (media.kind !== "text") throw new Error("text only");
    const out = await this.kernel.run({ text: media.text });
    return { predictions: [{ text: `thread ${out.threadId} batch ${out.batchSize}`, position: { begin: 0, end: out.length }, emotions: [] }] };
  }
  async close(): Promise<void> {}
}

function crashFactory(created: CrashModel[]): ModelFactory {
  return {
    name: "language",
    needs: () => NO_DECODE_NEEDS,
    isInstalled: () => true,
    create: (options) => {
      const model = new CrashModel(options);
      created.push(model);
      return model as ExpressionModel;
    },
  } as ModelFactory;
}

type Reply = Record<string, unknown>;

/** Opens a connection, pipelines `frames`, resolves with one reply per frame (in arrival order). */
function exchange(url: string, frames: readonly string[]): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const replies: Reply[] = [];
    ws.on("open", () => {
      for (const frame of frames) ws.send(frame);
    });
    ws.on("message", (data) => {
      replies.push(JSON.parse(data.toString()) as Reply);
      if (replies.length === frames.length) {
        ws.close(1000);
        resolve(replies);
      }
    });
    ws.on("close", (code) => {
      if (replies.length < frames.length) reject(new Error(`closed (${code}) after ${replies.length}/${frames.length} replies`));
    });
    ws.on("error", () => {});
  });
}

const text = (id: string, data: string) => JSON.stringify({ payload_id: id, data, raw_text: true, models: { language: {} } });

function healthz(port: number): Promise<number> {
  return new Promise((resolve) => {
    get(`http://127.0.0.1:${port}/healthz`, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", () => resolve(0));
  });
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

describe("crash isolation", () => {
  let server: RunningServer;
  const created: CrashModel[] = [];
  before(async () => {
    // maxBatch 1: every payload runs alone, so a crash can only take its own payload down (the micro-batching case is tested below).
    const config = fuzzServerConfig({ server: { workers: 2, maxBatch: 1, batchWindowMs: 0, taskTimeoutMs: 1500 } });
    server = await startServer(config, { factories: [crashFactory(created)], log: () => {} });
  });
  after(async () => {
    await server.shutdown();
  });

  for (const [name, magic] of [["exits", CRASH_EXIT], ["throws an uncaught exception", CRASH_THROW]] as const) {
    it(`a kernel that ${name}: I0100 for that payload, worker restarted, others unaffected, connection goes on`, async () => {
      const pool = created[0]!.pool;
      const restartsBefore = pool.restarts;
      const others = Array.from({ length: 2 }, (_, c) => Array.from({ length: 25 }, (_, i) => text(`c${c}-${i}`, `hello number ${i}`)));
      const [victim, ...bystanders] = await Promise.all([
        exchange(server.url, [text("boom", magic), text("after", "still here"), JSON.stringify({ payload_id: "jd", job_details: true })]),
        ...others.map((frames) => exchange(server.url, frames)),
      ]);
      assert.equal(victim[0]!.code, "I0100");
      assert.equal(victim[0]!.payload_id, "boom");
      assert.match(String(victim[0]!.error), /model/i);
      assert.equal(victim[1]!.payload_id, "after");
      assert.equal(victim[1]!.error, undefined, JSON.stringify(victim[1]));
      assert.ok(victim[1]!.language !== undefined);
      assert.equal(victim[2]!.payload_id, "jd");
      bystanders.forEach((replies, c) => {
        replies.forEach((reply, i) => {
          assert.equal(reply.payload_id, `c${c}-${i}`);
          assert.equal(reply.error, undefined, `bystander ${c} frame ${i}: ${JSON.stringify(reply)}`);
        });
      });
      assert.equal(pool.restarts, restartsBefore + 1);
      await waitFor(() => (pool as unknown as { slots: { ready: boolean }[] }).slots.filter((s) => s.ready).length === 2, "the replacement worker");
      assert.equal(await healthz(server.port), 200);
    });
  }

  it("a hung kernel: I0101 for that payload, the worker is replaced, the next payload succeeds", async () => {
    const pool = created[0]!.pool;
    const restartsBefore = pool.restarts;
    const replies = await exchange(server.url, [text("hang", HANG), text("next", "fine")]);
    assert.equal(replies[0]!.code, "I0101");
    assert.equal(replies[0]!.payload_id, "hang");
    assert.equal(replies[1]!.error, undefined, JSON.stringify(replies[1]));
    assert.equal(pool.restarts, restartsBefore + 1);
  });
});

describe("crash isolation with micro-batching", () => {
  // A failed shared batch is re-run one input at a time, so only the crashing payload gets I0100.
  it("a payload batched with a crashing one from another connection still succeeds", async () => {
    const created: CrashModel[] = [];
    const config = fuzzServerConfig({ server: { workers: 1, maxBatch: 8, batchWindowMs: 0, taskTimeoutMs: 5000 } });
    const server = await startServer(config, { factories: [crashFactory(created)], log: () => {} });
    try {
      const pool = created[0]!.pool;
      const slow = exchange(server.url, [text("slow", SLOW)]);
      await waitFor(() => pool.queued === 0 && (pool as unknown as { slots: { busy: unknown }[] }).slots.some((s) => s.busy !== null), "the slow batch to start");
      const victim = exchange(server.url, [text("boom", CRASH_EXIT)]);
      const bystander = exchange(server.url, [text("innocent", "hello")]);
      await Promise.all([slow, victim]);
      const [reply] = await bystander;
      assert.equal(reply!.payload_id, "innocent");
      assert.equal(reply!.error, undefined, JSON.stringify(reply));
    } finally {
      await server.shutdown();
    }
  });
});
