// Runs `moodwire serve` as a child process, for tests whose failure mode is the server process dying
// (a native abort would take an in-process server down together with the test runner).

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the server on a free loopback port with `args` and resolves once it is listening. */
export function startServerProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } });
  let stderr = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      stderr += chunk;
      const match = /"event":"listening","url":"(ws:\/\/[^"]+:(\d+)[^"]*)"/.exec(stderr);
      if (match !== null) resolve({ child, port: Number(match[2]), url: match[1]!, stderr: () => stderr, exited });
    });
    void exited.then(({ code, signal }) => reject(new Error(`the server exited (code ${code}, signal ${signal}) before listening:\n${stderr}`)));
  });
}
