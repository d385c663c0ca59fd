// The transport alone: a bare `ws` server that answers every message with a fixed text reply after
// holding its thread for a fixed time, as the server does while its model runs, but doing no work.
// Its round trip less the hold is what loopback, `ws` and both processes waking up cost on this
// machine, the part of the end-to-end latency that no server code can remove.
// Started by the bench with fork(); settings as one JSON argument; reports { port } over IPC.

import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { WebSocketServer } from "ws";

export interface EchoSettings {
  replyBytes: number;
  holdMs: number;
}

const { replyBytes, holdMs } = JSON.parse(process.argv[2] ?? "{}") as EchoSettings;
const reply = Buffer.alloc(replyBytes, 0x20); // spaces: valid UTF-8, as a real reply's text is
const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
server.on("listening", () => process.send?.({ port: (server.address() as AddressInfo).port }));
server.on("connection", (socket) => {
  socket.on("message", () => {
    const until = performance.now() + holdMs;
    while (performance.now() < until); // the model's time on the thread, without its work or its cache traffic
    socket.send(reply, { binary: false });
  });
});
process.on("disconnect", () => process.exit(0));
