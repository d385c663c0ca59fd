// The plain-HTTP side of the server: health, readiness, metrics, what it serves (/info), the 426 for the stream path without an
// upgrade, and the web page with its assets (unless the playground is off). A lookup table of routes; anything else is 404.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { StaticFiles } from "./static-files.js";

export interface HttpState {
  /** Models loaded and not shutting down. */
  ready(): { ready: true; models: readonly string[]; note?: string } | { ready: false; reason: string };
  /** Prometheus text. */
  metrics(): string;
  /** What this server is and serves (GET /info). */
  info(): object;
}

type Reply = { status: number; body: string | Buffer; contentType: string };

const TEXT = "text/plain; charset=utf-8";
const text = (status: number, body: string, contentType = TEXT): Reply => ({ status, body, contentType });

export function httpRoutes(state: HttpState, streamPath: string, files: StaticFiles | undefined): (request: IncomingMessage, response: ServerResponse) => void {
  const routes: Readonly<Record<string, () => Reply>> = {
    "/healthz": () => text(200, "ok\n"),
    "/readyz": () => {
      const status = state.ready();
      if (!status.ready) return text(503, `${status.reason}\n`);
      return text(200, `ready: ${status.models.join(", ") || "no models"}${status.note === undefined ? "" : `; ${status.note}`}\n`);
    },
    "/metrics": () => text(200, state.metrics(), "text/plain; version=0.0.4; charset=utf-8"),
    "/info": () => text(200, `${JSON.stringify(state.info(), null, 2)}\n`, "application/json; charset=utf-8"),
    [streamPath]: () => text(426, `Upgrade required: ${streamPath} is a WebSocket endpoint.\n`),
  };

  const send = (request: IncomingMessage, response: ServerResponse, reply: Reply) => {
    response.writeHead(reply.status, { "Content-Type": reply.contentType, "Content-Length": Buffer.byteLength(reply.body) });
    response.end(request.method === "HEAD" ? undefined : reply.body);
  };

  return (request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") return send(request, response, text(405, "Method not allowed.\n"));
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route !== undefined) return send(request, response, route());
    if (files === undefined) return send(request, response, text(404, "Not found.\n"));
    void files.get(path).then((file) =>
      send(request, response, file === undefined ? text(404, "Not found.\n") : { status: 200, body: file.body, contentType: file.contentType }),
    );
  };
}
