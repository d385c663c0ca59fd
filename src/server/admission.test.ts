import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionCounter, HandshakeRateLimiter } from "./admission.js";
import { ApiKeys } from "./auth.js";
import { parseServeArgs, serveHelp } from "./config.js";

describe("HandshakeRateLimiter", () => {
  it("allows the configured rate per client and refills over time", () => {
    let now = 0;
    const limiter = new HandshakeRateLimiter(3, () => now);
    assert.deepEqual([1, 2, 3, 4].map(() => limiter.allow("a")), [true, true, true, false]);
    assert.equal(limiter.allow("b"), true);
    now += 1000;
    assert.equal(limiter.allow("a"), true);
  });
});

describe("ConnectionCounter", () => {
  it("caps connections globally and per client", () => {
    const counter = new ConnectionCounter(3, 2);
    assert.equal(counter.acquire("a"), undefined);
    assert.equal(counter.acquire("a"), undefined);
    assert.match(counter.acquire("a") ?? "", /client/);
    assert.equal(counter.acquire("b"), undefined);
    assert.match(counter.acquire("c") ?? "", /server/);
    counter.release("a");
    assert.equal(counter.acquire("c"), undefined);
  });
});

describe("ApiKeys", () => {
  it("accepts configured keys only", () => {
    const keys = new ApiKeys(["k1", "secret-2"]);
    assert.equal(keys.open, false);
    assert.equal(keys.accepts("k1"), true);
    assert.equal(keys.accepts("secret-2"), true);
    assert.equal(keys.accepts("k2"), false);
    assert.equal(keys.accepts(undefined), false);
  });

  it("is open with no keys", () => {
    assert.equal(new ApiKeys([]).accepts(undefined), true);
  });
});

describe("parseServeArgs", () => {
  it("reads environment then flags", () => {
    const result = parseServeArgs(["--port", "9001", "--max-text-chars=50", "--insecure"], { HOST: "0.0.0.0", PORT: "1", MOODWIRE_API_KEYS: "a, b", MOODWIRE_MODELS: "language" });
    assert.ok(result.ok);
    assert.equal(result.config.host, "0.0.0.0");
    assert.equal(result.config.port, 9001);
    assert.equal(result.config.limits.maxTextChars, 50);
    assert.equal(result.config.insecure, true);
    assert.deepEqual(result.config.apiKeys, ["a", "b"]);
    assert.deepEqual(result.config.models, ["language"]);
  });

  it("keeps model calls in workers only when asked (--isolate-models or MOODWIRE_ISOLATE_MODELS)", () => {
    const byDefault = parseServeArgs([], {});
    assert.ok(byDefault.ok && !byDefault.config.isolateModels);
    const flag = parseServeArgs(["--isolate-models"], {});
    assert.ok(flag.ok && flag.config.isolateModels);
    const env = parseServeArgs([], { MOODWIRE_ISOLATE_MODELS: "1" });
    assert.ok(env.ok && env.config.isolateModels);
  });

  it("explains bad options", () => {
    const unknown = parseServeArgs(["--nope"], {});
    assert.ok(!unknown.ok && /unknown option/.test(unknown.message));
    const bad = parseServeArgs(["--models", "language,smell"], {});
    assert.ok(!bad.ok && /smell/.test(bad.message));
    const missing = parseServeArgs(["--port"], {});
    assert.ok(!missing.ok && /needs a value/.test(missing.message));
  });

  it("lists every flag in the help", () => {
    const help = serveHelp();
    for (const flag of ["--host", "--port", "--api-keys-file", "--models", "--workers", "--isolate-models", "--max-audio-ms", "--idle-timeout-ms", "--shutdown-grace-ms"]) {
      assert.ok(help.includes(flag), flag);
    }
  });
});
