// The bench's side of the server under test (bench/server-child.ts): starts it with fork() and asks it
// over IPC for its memory, CPU time and event-loop delay.

import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ChildMessage, ChildSettings, ChildStats } from "./server-child.js";

export class ServerChild {
  private nextId = 0;
  private readonly waiters = new Map<number, (stats: ChildStats) => void>();
  private constructor(private readonly child: ChildProcess, readonly port: number, readonly models: string[]) {
    child.on("message", (message: ChildMessage) => {
      if (message.type === "stats") {
        this.waiters.get(message.id)?.(message);
        this.waiters.delete(message.id);
      }
    });
  }

  static start(settings: ChildSettings, timeoutMs = 120_000): Promise<ServerChild> {
    const script = fileURLToPath(new URL("./server-child.js", import.meta.url));
    const child = fork(script, [JSON.stringify(settings)], { execArgv: ["--expose-gc"], stdio: ["ignore", "pipe", "inherit", "ipc"] });
    child.stdout?.pipe(process.stderr);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error("the server did not become ready in time"));
      }, timeoutMs);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited with code ${code} before it was ready`));
      });
      child.on("message", (message: ChildMessage) => {
        if (message.type === "ready") {
          clearTimeout(timer);
          child.removeAllListeners("exit");
          resolve(new ServerChild(child, message.port, message.models));
        } else if (message.type === "failed") {
          clearTimeout(timer);
          reject(new Error(`the server failed to start: ${message.message}`));
        }
      });
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/v0/stream/models`;
  }

  stats(options: { loopMonitor?: "start" | "stop"; gc?: boolean } = {}): Promise<ChildStats> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiters.set(id, resolve);
      this.child.send({ cmd: "stats", id, ...options });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once("exit", () => resolve());
      this.child.send({ cmd: "shutdown" });
      setTimeout(() => {
        this.child.kill("SIGKILL");
        resolve();
      }, 15_000).unref();
    });
  }
}
