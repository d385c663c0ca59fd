import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Admission, ConnectionCounter, HandshakeRateLimiter, type AdmissionLimits } from "./admission.js";
import { ApiKeys } from "./auth.js";
import { parseServeArgs, serveHelp, servesPlayground } from "./config.js";

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

describe("Admission", () => {
  const limits = (overrides: Partial<AdmissionLimits> = {}): AdmissionLimits => ({ apiKeys: [], handshakesPerSecond: 3, maxConnections: 100, maxConnectionsPerClient: 2, ...overrides });
  const statuses = (results: ReturnType<Admission["admit"]>[]) => results.map((r) => (r.ok ? 101 : r.status));

  it("without keys, a client is its IP whatever key it presents", () => {
    const admission = new Admission(limits());
    const results = ["made-up-1", "made-up-2", undefined].map((key) => admission.admit("10.0.0.1", key));
    assert.deepEqual(statuses(results), [101, 101, 429], "two connections per IP, made-up keys or not");
    assert.deepEqual(results[0], { ok: true, client: "ip:10.0.0.1" });
    assert.ok(admission.admit("10.0.0.2", "made-up-3").ok, "another address has its own slots");
  });

  it("without keys, the handshake rate is per IP whatever key is presented", () => {
    let now = 0;
    const admission = new Admission(limits({ maxConnectionsPerClient: 100 }), () => now);
    assert.deepEqual(statuses(["a", "b", "c", "d"].map((key) => admission.admit("10.0.0.1", key))), [101, 101, 101, 429]);
    now += 1000;
    assert.equal(admission.admit("10.0.0.1", "e").ok, true);
  });

  it("with keys, each key has its own rate and slots, also from one IP", () => {
    const admission = new Admission(limits({ apiKeys: ["k1", "k2"], maxConnectionsPerClient: 100 }), () => 0);
    assert.deepEqual(statuses(["k1", "k1", "k1", "k1"].map((key) => admission.admit("10.0.0.1", key))), [101, 101, 101, 429]);
    assert.deepEqual(statuses(["k2", "k2", "k2"].map((key) => admission.admit("10.0.0.1", key))), [101, 101, 101], "k2 does not share k1's bucket");
  });

  it("with keys, failed key checks are limited per IP, then everything from that IP waits", () => {
    let now = 0;
    const admission = new Admission(limits({ apiKeys: ["k1"] }), () => now);
    assert.deepEqual(statuses(["x", "y", "z", "k1"].map((key) => admission.admit("10.0.0.9", key))), [401, 401, 401, 429]);
    assert.equal(admission.admit("10.0.0.8", "k1").ok, true, "other addresses are unaffected");
    now += 1000;
    assert.equal(admission.admit("10.0.0.9", "k1").ok, true);
  });

  it("frees a slot on release", () => {
    const admission = new Admission(limits({ handshakesPerSecond: 100 }));
    const a = admission.admit("10.0.0.1", undefined);
    admission.admit("10.0.0.1", undefined);
    assert.equal(admission.admit("10.0.0.1", undefined).ok, false);
    assert.ok(a.ok);
    admission.release(a.client);
    assert.equal(admission.admit("10.0.0.1", undefined).ok, true);
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

  it("a bad value from the environment names its variable, a bad flag its flag", () => {
    const env = parseServeArgs([], { PORT: "abc" });
    assert.ok(!env.ok);
    assert.equal(env.message, "PORT=abc: --port must be an integer ≥ 0, got 'abc'");
    const flag = parseServeArgs(["--port", "abc"], {});
    assert.ok(!flag.ok);
    assert.equal(flag.message, "--port must be an integer ≥ 0, got 'abc'");
  });

  it("keeps model calls in workers only when asked (--isolate-models or MOODWIRE_ISOLATE_MODELS)", () => {
    const byDefault = parseServeArgs([], {});
    assert.ok(byDefault.ok && !byDefault.config.isolateModels);
    const flag = parseServeArgs(["--isolate-models"], {});
    assert.ok(flag.ok && flag.config.isolateModels);
    const env = parseServeArgs([], { MOODWIRE_ISOLATE_MODELS: "1" });
    assert.ok(env.ok && env.config.isolateModels);
  });

  it("reads booleans strictly: off, no, false and 0 are off; unknown words are an error", () => {
    for (const value of ["off", "no", "false", "0", "OFF", "No"]) {
      const env = parseServeArgs([], { MOODWIRE_INSECURE: value, MOODWIRE_ISOLATE_MODELS: value });
      assert.ok(env.ok && !env.config.insecure && !env.config.isolateModels, value);
      const flag = parseServeArgs([`--insecure=${value}`], {});
      assert.ok(flag.ok && !flag.config.insecure, value);
    }
    for (const value of ["on", "yes", "true", "1", "TRUE"]) {
      const env = parseServeArgs([], { MOODWIRE_INSECURE: value });
      assert.ok(env.ok && env.config.insecure, value);
    }
    for (const value of ["maybe", "2", "offf"]) {
      const env = parseServeArgs([], { MOODWIRE_INSECURE: value });
      assert.ok(!env.ok && /--insecure/.test(env.message) && env.message.includes(value), value);
      assert.ok(!parseServeArgs([`--isolate-models=${value}`], {}).ok, value);
    }
  });

  it("serves the playground on loopback unless --no-playground, elsewhere only with --playground", () => {
    const playground = (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const result = parseServeArgs(args, env);
      assert.ok(result.ok, result.ok ? "" : result.message);
      return servesPlayground(result.config);
    };
    assert.equal(playground([]), true);
    assert.equal(playground(["--no-playground"]), false);
    assert.equal(playground([], { MOODWIRE_PLAYGROUND: "off" }), false);
    assert.equal(playground(["--host", "0.0.0.0"]), false);
    assert.equal(playground(["--host", "0.0.0.0", "--playground"]), true);
    assert.equal(playground(["--no-playground"], { MOODWIRE_PLAYGROUND: "1" }), false);
    assert.ok(!parseServeArgs(["--no-playground=1"], {}).ok);
    assert.match(serveHelp(), /--playground, --no-playground/);
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
