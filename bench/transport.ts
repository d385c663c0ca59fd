// The transport floor: one connection to a bare `ws` server (bench/echo-child.ts) that holds its thread
// for `holdMs`, as the server does while its model runs, and answers with `replyBytes` of text. `run`
// resolves with the round trip; less the hold, it is what no server code can remove.

import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchmarkRunner } from "../src/models/benchmark.js";
import type { EchoSettings } from "./echo-child.js";
import { Client } from "./load.js";
import { round } from "./stats.js";

export async function echoRunner(replyBytes: number, holdMs: number, request: Buffer): Promise<BenchmarkRunner> {
  const settings: EchoSettings = { replyBytes, holdMs };
  const child = fork(fileURLToPath(new URL("./echo-child.js", import.meta.url)), [JSON.stringify(settings)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once("message", (message: { port: number }) => resolve(message.port));
      child.once("exit", (code) => reject(new Error(`the echo server exited with code ${code}`)));
    });
    const client = await Client.open(`ws://127.0.0.1:${port}/`);
    return {
      method: `bare ws server in a child process: holds its thread ${round(holdMs)} ms (the model-only warm-up p50), then sends ${replyBytes} bytes of text (a reply's size); round trip less the hold`,
      run: () => client.request(request, 30_000),
      close: async () => {
        await client.close();
        child.kill();
      },
    };
  } catch (error) {
    child.kill();
    throw error;
  }
}
