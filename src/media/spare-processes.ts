// Decoders started before they are needed. Starting ffmpeg costs far more than decoding a short
// payload (the dynamic loader resolves a few hundred shared libraries), so after a pipe-fed run the
// runner starts one process with the same arguments, idle on its stdin; the next payload with those
// arguments is written to it instead of waiting for a start. Spares hold no concurrency slot
// and no event-loop reference, die after a while unused, and exit by themselves (EOF on stdin) if the
// server goes away.

import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import type { Socket } from "node:net";

/** Spares alive at once, all argument lists together; the least recently made is dropped first. */
export const DEFAULT_MAX_SPARES = 4;
/** A spare nobody took within this long is killed. */
export const SPARE_IDLE_MS = 60_000;

interface Spare {
  key: string;
  child: ChildProcessWithoutNullStreams;
  timer: NodeJS.Timeout;
}

/** The decoder's environment: nothing of the server's secrets reaches it. */
function decoderEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    ...(process.env.LD_LIBRARY_PATH === undefined ? {} : { LD_LIBRARY_PATH: process.env.LD_LIBRARY_PATH }),
  };
}

/** Starts `bin args` with three pipes and the decoder's environment. */
export function spawnDecoder(bin: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(bin, args, { stdio: ["pipe", "pipe", "pipe"], env: decoderEnv(), windowsHide: true });
}

/** Spares are matched by their exact command line. */
function keyOf(bin: string, args: readonly string[]): string {
  return `${bin}\0${args.join("\0")}`;
}

function setReferenced(child: ChildProcessWithoutNullStreams, referenced: boolean): void {
  // The pipes of a child process are sockets, which is what lets them be unreferenced.
  const pipes = [child.stdin, child.stdout, child.stderr].map((pipe) => pipe as unknown as Socket);
  for (const handle of [child, ...pipes]) {
    if (referenced) handle.ref();
    else handle.unref();
  }
}

export class SpareProcesses {
  // Insertion order is age: the first entry is the oldest spare.
  private readonly spares = new Set<Spare>();

  constructor(private max: number = DEFAULT_MAX_SPARES) {}

  /** Spares alive now. */
  get size(): number {
    return this.spares.size;
  }

  /** Changes how many spares may live at once; 0 kills them all and starts no more. */
  setMax(max: number): void {
    if (!Number.isInteger(max) || max < 0) throw new RangeError("The number of spare decoders must be a non-negative integer.");
    this.max = max;
    while (this.spares.size > max) this.drop(this.spares.values().next().value!);
  }

  /** A process already running `bin args` and waiting on stdin, or undefined. The caller owns what it gets. */
  take(bin: string, args: readonly string[]): ChildProcessWithoutNullStreams | undefined {
    const key = keyOf(bin, args);
    let found: Spare | undefined;
    for (const spare of this.spares) {
      if (spare.key === key && spare.child.exitCode === null && spare.child.signalCode === null) {
        found = spare;
        break;
      }
    }
    if (found !== undefined) {
      this.spares.delete(found);
      clearTimeout(found.timer);
      found.child.removeAllListeners();
      setReferenced(found.child, true);
    }
    return found?.child;
  }

  /**
   * Starts a spare for `bin args` unless one waits already. Called once a run has finished, so the
   * new process loads while nothing of that payload is left to compete with it for the CPU.
   */
  refill(bin: string, args: readonly string[]): void {
    if (this.max === 0) return;
    this.start(bin, args);
  }

  /** Kills every spare (server shutdown). */
  clear(): void {
    for (const spare of this.spares) this.drop(spare);
  }

  private start(bin: string, args: readonly string[]): void {
    const key = keyOf(bin, args);
    for (const spare of this.spares) if (spare.key === key) return;
    if (this.spares.size >= this.max) this.drop(this.spares.values().next().value!);
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawnDecoder(bin, args);
    } catch {
      return;
    }
    const spare: Spare = { key, child, timer: setTimeout(() => this.drop(spare), SPARE_IDLE_MS).unref() };
    // A spare that fails to start or dies while idle is simply forgotten; the next run starts cold.
    child.on("error", () => this.drop(spare));
    child.on("exit", () => this.drop(spare));
    for (const stream of [child.stdin, child.stdout, child.stderr]) stream.on("error", () => {});
    setReferenced(child, false);
    this.spares.add(spare);
  }

  private drop(spare: Spare): void {
    if (!this.spares.delete(spare)) return;
    clearTimeout(spare.timer);
    spare.child.kill("SIGKILL");
  }
}
