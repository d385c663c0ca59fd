// A real cluster on one machine: Debian HAProxy on loopback (least connections, health from /readyz)
// in front of three `moodwire serve` processes with the language model. It checks that sessions
// spread, that clients of a killed instance (kill -9) reconnect to the others and every request sent
// after reconnecting is answered, that a rolling restart (SIGTERM each in turn: drain, close 1012)
// loses no in-flight reply and ends with every client connected, and that a full instance gets no new
// sockets. Loopback only, bounded loops; skipped when HAProxy is not installed (.ci/run installs it).

import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, StreamConnectionError, type StreamSocket } from "../../src/client/index.js";
import { PACKAGE_ROOT } from "../../src/runtime/paths.js";

const SKIP = spawnSync("haproxy", ["-v"], { stdio: "ignore" }).status === 0 ? false : "haproxy is not installed (apt-get install haproxy)";
if (SKIP !== false) console.log(`# cluster test skipped: ${SKIP}`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    return { status: response.status, body: await response.text() };
  } catch {
    return { status: 0, body: "" };
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

class Instance {
  child: ChildProcess | undefined;
  constructor(readonly port: number, readonly maxConnections: number) {}

  async start(): Promise<void> {
    this.child = spawn(process.execPath, [`${PACKAGE_ROOT}dist/src/cli/main.js`, "serve", "--port", String(this.port), "--models", "language",
      "--workers", "1", "--max-connections", String(this.maxConnections), "--shutdown-grace-ms", "2000", "--log-level", "silent"], { stdio: "ignore" });
    await until(`instance ${this.port} ready`, async () => (await get(this.port, "/readyz")).status === 200);
  }

  async connections(): Promise<number> {
    const { body } = await get(this.port, "/metrics");
    return Number(/^moodwire_connections_open (\d+)/m.exec(body)?.[1] ?? -1);
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill(signal);
    });
  }
}

/** A client as a product would write one: a session through the balancer that opens a new connection when a send finds it gone. */
class Client {
  socket: StreamSocket | undefined;
  answered = 0;
  reconnects = 0;
  /** Requests whose connection closed before their reply, sent again. */
  resent = 0;
  constructor(private readonly url: string) {}

  async open(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.socket = await connect({ url: this.url, config: { language: { granularity: "passage" } }, onReconnect: () => this.reconnects++ });
        return;
      } catch (error) {
        // A handshake that reached an instance just as it began draining: try again, as SDKs do.
        if (attempt >= 20) throw error;
        await sleep(100);
      }
    }
  }

  /** One request; after a dropped connection (kill -9), one new connection and the same request again. */
  async send(text: string): Promise<void> {
    try {
      await this.socket!.sendText(text);
    } catch (error) {
      if (!(error instanceof StreamConnectionError)) throw error;
      this.reconnects++;
      this.resent++;
      await this.open();
      await this.socket!.sendText(text);
    }
    this.answered++;
  }
}

describe("cluster: HAProxy in front of three instances", { skip: SKIP, timeout: 240_000 }, () => {
  const instances: Instance[] = [];
  let haproxy: ChildProcess | undefined;
  let dir: string;
  let url: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "moodwire-cluster-"));
    const front = await freePort();
    for (const max of [100, 100, 4]) instances.push(new Instance(await freePort(), max));
    await Promise.all(instances.map((instance) => instance.start()));
    const config = join(dir, "haproxy.cfg");
    writeFileSync(config, [
      "defaults", "  mode http", "  timeout connect 2s", "  timeout client 60s", "  timeout server 60s", "  timeout tunnel 1h",
      "frontend stream", `  bind 127.0.0.1:${front}`, "  default_backend moodwire",
      "backend moodwire", "  balance leastconn", "  option httpchk GET /readyz", "  http-check expect status 200",
      "  default-server check inter 200ms fall 1 rise 2",
      ...instances.map((instance, i) => `  server s${i} 127.0.0.1:${instance.port}`), "",
    ].join("\n"));
    haproxy = spawn("haproxy", ["-db", "-f", config], { stdio: "ignore" });
    url = `ws://127.0.0.1:${front}/v0/stream/models`;
    await until("haproxy", async () => (await get(front, "/readyz")).status === 200);
  });

  after(async () => {
    haproxy?.kill("SIGKILL");
    await Promise.all(instances.map((instance) => instance.stop("SIGKILL")));
    rmSync(dir, { recursive: true, force: true });
  });

  it("spreads sessions, stops sending new ones to a full instance, survives kill -9 and a rolling restart", async () => {
    // Spread: twelve sessions; the small instance fills at 4 and its /readyz turns 503.
    const clients = Array.from({ length: 12 }, () => new Client(url));
    for (const client of clients) {
      await client.open();
      await client.send("hello");
    }
    const spread = await Promise.all(instances.map((instance) => instance.connections()));
    assert.equal(spread.reduce((a, b) => a + b, 0), 12, `connections per instance ${spread}`);
    for (const count of spread) assert.ok(count >= 2, `every instance takes sessions: ${spread}`);
    assert.ok(spread[2]! <= 4, `the full instance holds at most its cap: ${spread}`);
    await until("the full instance out of rotation", async () => (await get(instances[2]!.port, "/readyz")).status === 503 || spread[2]! < 4, 5000);
    const late = new Client(url);
    await late.open();
    await late.send("late");
    assert.ok((await instances[2]!.connections()) <= 4, "a full instance gets no new sockets");
    clients.push(late);

    // kill -9: the instance's clients reconnect through the balancer; every later request is answered.
    await instances[0]!.stop("SIGKILL");
    await sleep(500);
    for (const client of clients) await client.send("after the crash");
    assert.equal(clients.filter((c) => c.answered === 2).length, clients.length);
    await instances[0]!.start();

    // Rolling restart under load: each instance drained (SIGTERM) and started again in turn.
    const resentBefore = clients.reduce((sum, c) => sum + c.resent, 0);
    let sending = true;
    const load = clients.map(async (client, i) => {
      let n = 0;
      while (sending) {
        await client.send(`rolling ${i} ${n++}`);
        await sleep(20);
      }
    });
    for (const instance of instances) {
      await instance.stop("SIGTERM");
      await instance.start();
      await sleep(500);
    }
    sending = false;
    await Promise.all(load);
    const answered = clients.reduce((sum, c) => sum + c.answered, 0);
    // Draining instances answer what they read and close with 1012; the client sends the rest again.
    const lost = clients.reduce((sum, c) => sum + c.resent, 0) - resentBefore;
    assert.equal(lost, 0, "no request failed during the rolling restart");
    assert.ok(answered > clients.length * 3, `requests answered through the restarts: ${answered}`);
    for (const client of clients) assert.equal(client.socket!.readyState, "open", "every client ends connected");
    console.log(`# cluster: ${clients.length} clients, ${answered} requests answered, ${clients.reduce((s, c) => s + c.reconnects, 0)} reconnects, 0 failed in the rolling restart`);
    await Promise.all(clients.map((c) => c.socket!.close()));
  });
});
