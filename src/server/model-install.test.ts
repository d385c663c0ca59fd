// A model whose weights are missing leaves the server starting with the others, and says why.

import assert from "node:assert/strict";
import { it } from "node:test";
import { fakeFace, fakeLanguage } from "../../tests/support/fake-models.js";
import type { ModelFactory } from "../models/types.js";
import { defaultConfig } from "./config.js";
import { startServer } from "./server.js";

it("starts without a model that is not installed and logs the model's reason", async () => {
  const missing: ModelFactory = { ...fakeFace, isInstalled: () => false, notInstalledReason: () => "missing detector.onnx; run npm run fetch-models" };
  const logged: string[] = [];
  const server = await startServer({ ...defaultConfig(), port: 0, models: undefined }, { factories: [missing, fakeLanguage], log: (m) => logged.push(m) });
  try {
    assert.deepEqual(server.registry.names, ["language"]);
    const off = logged.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.event === "model_off");
    assert.deepEqual({ ...off, time: undefined }, { time: undefined, level: "warn", event: "model_off", model: "face", reason: "missing detector.onnx; run npm run fetch-models" });
  } finally {
    await server.shutdown();
  }
});
