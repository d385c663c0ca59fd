// GET /info: what a running server is and serves, for a user (or a load balancer) asking.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { httpGet, startTestServer } from "../../tests/conformance/helpers.js";
import { fakeFace, fakeLanguage } from "../../tests/support/fake-models.js";
import { packageInfo } from "../runtime/paths.js";

describe("GET /info", () => {
  it("names the package and version, the stream path, and each enabled model with its media and card", async () => {
    const server = await startTestServer({ factories: [fakeLanguage, fakeFace] });
    try {
      const reply = await httpGet(server.port, "/info");
      assert.equal(reply.status, 200);
      const info = JSON.parse(reply.body) as Record<string, unknown>;
      assert.deepEqual(info, {
        ...packageInfo(),
        stream_path: "/v0/stream/models",
        api_key_required: false,
        ready: true,
        models: [
          { name: "language", accepts: ["text"], card: "models/language/MODEL_CARD.md" },
          { name: "face", accepts: ["image", "video"], card: "models/face/MODEL_CARD.md" },
        ],
      });
    } finally {
      await server.shutdown();
    }
  });

  it("says when clients must present an API key", async () => {
    const server = await startTestServer({ factories: [fakeLanguage], apiKeys: ["k"] });
    try {
      const info = JSON.parse((await httpGet(server.port, "/info")).body) as Record<string, unknown>;
      assert.equal(info.api_key_required, true);
    } finally {
      await server.shutdown();
    }
  });
});
