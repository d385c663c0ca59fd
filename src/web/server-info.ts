// What the page learns from GET /info before it connects: the stream path, the models served, and whether
// a key is needed (a browser cannot read why a WebSocket handshake was refused, so the page asks first).

import type { ModelName } from "../protocol/index.js";

export interface ServerInfo {
  name: string;
  version: string;
  stream_path: string;
  api_key_required: boolean;
  ready: boolean;
  models: Array<{ name: ModelName; accepts: string[] }>;
}

export async function fetchServerInfo(): Promise<ServerInfo> {
  const response = await fetch("/info", { cache: "no-store" });
  if (!response.ok) throw new Error(`GET /info answered ${response.status}`);
  return (await response.json()) as ServerInfo;
}

/** The stream endpoint on the server that served this page, with the key as `apikey` when one is given. */
export function streamEndpoint(info: ServerInfo, apiKey: string): string {
  const url = new URL(info.stream_path, location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  if (apiKey !== "") url.searchParams.set("apikey", apiKey);
  return url.toString();
}
