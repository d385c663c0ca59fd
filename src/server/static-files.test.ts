import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "./config.js";
import { startServer, type RunningServer } from "./server.js";
import { StaticFiles } from "./static-files.js";

function get(port: number, path: string, method = "GET"): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"], body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("StaticFiles", () => {
  let base: string;
  let files: StaticFiles;

  before(() => {
    base = mkdtempSync(join(tmpdir(), "moodwire-web-"));
    mkdirSync(join(base, "web", "assets"), { recursive: true });
    writeFileSync(join(base, "web", "index.html"), "<!doctype html><title>page</title>");
    writeFileSync(join(base, "web", "assets", "app.js"), "console.log(1);");
    writeFileSync(join(base, "web", "notes.txt"), "not a web asset");
    writeFileSync(join(base, "secret.html"), "outside the root");
    files = new StaticFiles(join(base, "web"));
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  it("serves index.html at / and assets by path, with their content types", async () => {
    assert.equal((await files.get("/"))?.contentType, "text/html; charset=utf-8");
    const js = await files.get("/assets/app.js");
    assert.deepEqual([js?.contentType, js?.body.toString()], ["text/javascript; charset=utf-8", "console.log(1);"]);
  });

  it("never leaves its directory and serves only web assets", async () => {
    for (const path of ["/../secret.html", "/assets/../../secret.html", "/%2e%2e/secret.html", "/..%2fsecret.html", "/notes.txt", "/assets", "/missing.js", "/%E0%A4%A", "/a\0.js"]) {
      assert.equal(await files.get(path), undefined, path);
    }
  });

  it("is what the server answers for paths that are not its own routes", async () => {
    const server: RunningServer = await startServer({ ...defaultConfig(), port: 0, models: [] }, { factories: [], log: () => {}, webRoot: join(base, "web") });
    try {
      const page = await get(server.port, "/");
      assert.deepEqual([page.status, page.type, page.body], [200, "text/html; charset=utf-8", "<!doctype html><title>page</title>"]);
      const head = await get(server.port, "/assets/app.js", "HEAD");
      assert.deepEqual([head.status, head.body], [200, ""]);
      assert.equal((await get(server.port, "/healthz")).body, "ok\n");
      assert.equal((await get(server.port, "/v0/stream/models")).status, 426);
      assert.equal((await get(server.port, "/nothing-here")).status, 404);
      assert.equal((await get(server.port, "/", "POST")).status, 405);
    } finally {
      await server.shutdown();
    }
  });

  it("is not served with the playground off (--no-playground); the server's own routes still are", async () => {
    const server = await startServer({ ...defaultConfig(), port: 0, models: [], playground: false }, { factories: [], log: () => {}, webRoot: join(base, "web") });
    try {
      assert.equal((await get(server.port, "/")).status, 404);
      assert.equal((await get(server.port, "/assets/app.js")).status, 404);
      assert.equal((await get(server.port, "/healthz")).status, 200);
    } finally {
      await server.shutdown();
    }
  });
});
