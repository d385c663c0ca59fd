// Hardened ffmpeg/ffprobe runner: argument arrays (no shell), input only from a pipe or a private temp
// file with a protocol whitelist, a forced demuxer, a hard timeout (SIGKILL), capped stdout and stderr,
// and a process-wide concurrency cap so a flood of payloads cannot fork-bomb the host. Also what every
// decoder needs around it: the ffmpeg input for a sniffed container, and the wire error for a failure.

import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCode } from "../protocol/index.js";
import { MediaError } from "./errors.js";
import { Semaphore } from "./semaphore.js";
import { SpareProcesses, spawnDecoder } from "./spare-processes.js";
import { fastStart } from "./faststart.js";
import { FFMPEG_DEMUXERS, needsSeeking } from "./sniff.js";

export const FFMPEG_BIN = process.env.MOODWIRE_FFMPEG ?? "ffmpeg";
export const FFPROBE_BIN = process.env.MOODWIRE_FFPROBE ?? "ffprobe";

export const DEFAULT_TIMEOUT_MS = 10_000;

/** What the server decodes without ffmpeg (the rest needs it). */
export const IN_PROCESS_FORMATS = "WAV, Opus in WebM or Ogg, images and text";
/** What is off without ffmpeg. */
export const FFMPEG_FORMATS = "MP3, FLAC, AAC/M4A, Vorbis and all video";

let installed: boolean | undefined;

/** Whether the ffmpeg and ffprobe binaries run (checked once). */
export function ffmpegInstalled(): boolean {
  installed ??= [FFMPEG_BIN, FFPROBE_BIN].every((bin) => spawnSync(bin, ["-version"], { stdio: "ignore", timeout: 10_000 }).status === 0);
  return installed;
}
export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
const MAX_STDERR_BYTES = 4096;

export type FfmpegFailure = "timeout" | "output-limit" | "exit" | "spawn" | "busy" | "aborted";

export class FfmpegError extends Error {
  constructor(
    readonly reason: FfmpegFailure,
    message: string,
    /** The process id, when one was started (killed on timeout or output overrun). */
    readonly pid: number | undefined,
    /** The first few KB of stderr. */
    readonly stderr: string,
  ) {
    super(message);
    this.name = "FfmpegError";
  }
}

// --- Concurrency cap (./semaphore.ts) ------------------------------------------------------------

/** The default longest wait for a free decoder slot; past it the payload is refused as busy (E0301). */
export const DEFAULT_QUEUE_WAIT_MS = 5_000;
/** The default most payloads waiting for a decoder slot; more are refused at once as busy (E0301). */
export const DEFAULT_MAX_QUEUED = 64;

/** The default cap on ffmpeg/ffprobe processes running at once: the CPU count. */
export const DEFAULT_FFMPEG_CONCURRENCY = Math.max(1, availableParallelism());

const semaphore: Semaphore = new Semaphore(DEFAULT_FFMPEG_CONCURRENCY, DEFAULT_MAX_QUEUED, DEFAULT_QUEUE_WAIT_MS, (why) =>
  new FfmpegError(
    "busy",
    why === "full"
      ? `all ${semaphore.limit} decoders are busy and ${semaphore.queued} payloads are waiting.`
      : `no decoder became free within ${semaphore.maxWaitMs} ms.`,
    undefined,
    "",
  ),
);

/** Sets the most ffmpeg/ffprobe processes running at once (default: the CPU count). */
export function setFfmpegConcurrency(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError("The ffmpeg concurrency must be a positive integer.");
  semaphore.setLimit(limit);
}

/** Bounds the queue of payloads waiting for a decoder: its length, and how long one may wait. */
export function setFfmpegQueue(maxQueued: number, maxWaitMs: number): void {
  if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new RangeError("The ffmpeg queue length must be a non-negative integer.");
  if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) throw new RangeError("The ffmpeg queue wait must be a non-negative number of milliseconds.");
  semaphore.maxQueued = maxQueued;
  semaphore.maxWaitMs = maxWaitMs;
}

/** Processes running now (for tests and metrics). */
export function ffmpegProcessesRunning(): number {
  return semaphore.running;
}

/** Payloads waiting for a decoder now (for tests and metrics). */
export function ffmpegQueued(): number {
  return semaphore.queued;
}

// --- Processes started beforehand (./spare-processes.ts) ----------------------------------------

const spares = new SpareProcesses();

/** Sets how many idle decoders may wait for payloads (default 4); 0 kills them and starts no more. */
export function setSpareDecoders(max: number): void {
  spares.setMax(max);
}

/** Kills the idle decoders (server shutdown); later runs start new ones. */
export function stopSpareDecoders(): void {
  spares.clear();
}

/** Idle decoders alive now (for tests). */
export function spareDecoders(): number {
  return spares.size;
}

// --- Running one process ------------------------------------------------------------------------

export interface RunOptions {
  /** Kill the process (SIGKILL) after this long, milliseconds. Default 10 s. */
  timeoutMs?: number;
  /** Kill the process once stdout exceeds this many bytes. */
  maxOutputBytes?: number;
  /** Kill the process (SIGKILL) when this aborts: its output is no longer wanted. */
  signal?: AbortSignal;
  /** Hands each piece of stdout over as it arrives instead of collecting it (the result's stdout is then empty). */
  onOutput?: (chunk: Buffer) => void;
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
}

/** Runs `bin args`, writing `stdin` to it; resolves on exit code 0. Holds a concurrency slot throughout. */
export async function runProcess(bin: string, args: readonly string[], stdin: Buffer | undefined, options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const abortedMessage = `${bin} was stopped: its output is no longer needed.`;
  const aborted = (): FfmpegError => new FfmpegError("aborted", abortedMessage, undefined, "");
  const stopped = (): boolean => options.signal?.aborted === true;
  if (stopped()) throw aborted();
  await semaphore.acquire();
  try {
    // It may have been abandoned while waiting for a slot.
    if (stopped()) throw aborted();
    return await new Promise<RunResult>((resolve, reject) => {
      // Pipe-fed runs have the same arguments payload after payload, so a process started beforehand
      // can take them; a file input names its own temp file and always starts cold.
      const child = (stdin === undefined ? undefined : spares.take(bin, args)) ?? spawnDecoder(bin, args);
      const chunks: Buffer[] = [];
      let outputBytes = 0;
      let stderr = "";
      let failure: FfmpegError | undefined;
      let settled = false;

      const fail = (reason: FfmpegFailure, message: string): void => {
        if (failure === undefined) failure = new FfmpegError(reason, message, child.pid, stderr);
        child.kill("SIGKILL");
      };
      const timer = setTimeout(() => fail("timeout", `${bin} did not finish within ${timeoutMs} ms.`), timeoutMs);
      const onAbort = (): void => fail("aborted", abortedMessage);
      options.signal?.addEventListener("abort", onAbort, { once: true });

      child.stdout.on("data", (chunk: Buffer) => {
        if (failure !== undefined) return;
        outputBytes += chunk.length;
        if (outputBytes > maxOutputBytes) {
          fail("output-limit", `${bin} produced more than ${maxOutputBytes} bytes.`);
          return;
        }
        if (options.onOutput === undefined) {
          chunks.push(chunk);
          return;
        }
        try {
          options.onOutput(chunk);
        } catch (error) {
          // A failing reader must not become an uncaught exception in this event handler.
          fail("exit", `reading the output of ${bin} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
      child.stderr.on("data", (chunk: Buffer) => {
        if (stderr.length < MAX_STDERR_BYTES) stderr = (stderr + chunk.toString("utf8")).slice(0, MAX_STDERR_BYTES);
      });
      // ffmpeg may stop reading early (-t reached, bad header): EPIPE on stdin is expected, not an error.
      child.stdin.on("error", () => {});
      child.on("error", (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        reject(new FfmpegError("spawn", `${bin} could not be started: ${error.message}`, child.pid, stderr));
      });
      child.on("close", (code, signal) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        if (failure !== undefined) {
          reject(new FfmpegError(failure.reason, failure.message, failure.pid, stderr));
        } else if (code !== 0) {
          const why = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
          reject(new FfmpegError("exit", `${bin} ${why}: ${firstLine(stderr)}`, child.pid, stderr));
        } else {
          resolve({ stdout: Buffer.concat(chunks), stderr });
        }
      });
      if (stdin === undefined) child.stdin.end();
      else child.stdin.end(stdin);
    });
  } finally {
    semaphore.release();
    if (stdin !== undefined) spares.refill(bin, args);
  }
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "");
  return line === undefined ? "(no message)" : line.trim().slice(0, 300);
}

// --- Inputs and their errors -------------------------------------------------------------------------------------

export interface MediaInput {
  bytes: Buffer;
  /** ffmpeg demuxer name (`-f`); undefined lets ffmpeg probe (still limited to the pipe/file protocols). */
  demuxer: string | undefined;
  /** Write to a private temp file so the demuxer can seek (MP4 with the index at the end). */
  seekable: boolean;
}

/**
 * The ffmpeg input for `bytes` of a sniffed container: its demuxer, and a seekable copy where it needs
 * one. An MP4/MOV with its index at the end is rewritten index-first in memory instead, so it is piped.
 */
export function mediaInput(bytes: Buffer, container: string | undefined): MediaInput {
  const demuxer = container === undefined ? undefined : FFMPEG_DEMUXERS[container];
  if (container === undefined || !needsSeeking(bytes, container)) return { bytes, demuxer, seekable: false };
  const indexFirst = fastStart(bytes);
  return indexFirst === undefined ? { bytes, demuxer, seekable: true } : { bytes: indexFirst, demuxer, seekable: false };
}

/** Maps an ffmpeg failure onto the wire error for `what` (busy → E0301, else `code`). */
export function ffmpegFailure(error: unknown, code: ErrorCode, what: string): MediaError {
  if (error instanceof MediaError) return error;
  if (error instanceof FfmpegError) {
    if (error.reason === "busy") return new MediaError(ErrorCode.ServerBusy, `The server is busy: ${error.message} Retry later.`);
    const detail =
      error.reason === "timeout" ? `decoding the ${what} took too long.`
      : error.reason === "output-limit" ? `the decoded ${what} is too large.`
      : error.reason === "spawn" && !ffmpegInstalled() ? `this server has no ffmpeg, so ${what} in this format cannot be decoded here (without it: ${IN_PROCESS_FORMATS}).`
      : error.reason === "spawn" ? `the ${what} decoder could not be started.`
      : `the ${what} could not be decoded.`;
    return code === ErrorCode.NoAudio
      ? new MediaError(code, `No audio could be decoded from the media: ${detail}`)
      : new MediaError(code, `Failed to parse data as a valid media file: ${detail}`);
  }
  return new MediaError(ErrorCode.Internal, `Media decoding failed: ${error instanceof Error ? error.message : String(error)}`);
}

/** Runs `fn` with the input arguments for `input`; a temp file is created and always removed. */
async function withInput<T>(input: MediaInput, fn: (inputArgs: string[], stdin: Buffer | undefined) => Promise<T>): Promise<T> {
  const format = input.demuxer === undefined ? [] : ["-f", input.demuxer];
  if (!input.seekable) return fn([...format, "-protocol_whitelist", "pipe", "-i", "pipe:0"], input.bytes);
  const dir = await mkdtemp(join(tmpdir(), "moodwire-media-"));
  try {
    const path = join(dir, "input");
    await writeFile(path, input.bytes, { mode: 0o600 });
    return await fn([...format, "-protocol_whitelist", "file", "-i", `file:${path}`], undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Decoding threads per process: the cores left once a payload's frames have their model worker and the
 * event loop has its core. ffmpeg's own choice (a thread per core and one more) contends with both: on
 * 2 cores it slowed the 5 s face video by ~100 ms end to end (README, Face).
 */
const DECODER_THREADS = Math.max(1, availableParallelism() - 2);
const COMMON_ARGS = ["-nostdin", "-hide_banner", "-loglevel", "error", "-threads", String(DECODER_THREADS), "-filter_threads", "1"];

/** Runs ffmpeg on `input` with `outputArgs` (which must end in an output such as "pipe:1"). */
export function runFfmpeg(input: MediaInput, outputArgs: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return withInput(input, (inputArgs, stdin) =>
    runProcess(FFMPEG_BIN, [...COMMON_ARGS, ...inputArgs, ...outputArgs], stdin, options),
  );
}

export interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  duration?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  sample_rate?: string;
  channels?: number;
  disposition?: { attached_pic?: number };
}

export interface ProbeResult {
  streams: ProbeStream[];
  format?: { duration?: string; format_name?: string };
}

/** ffprobe's view of the streams and container duration. */
export async function probe(input: MediaInput, options: RunOptions = {}): Promise<ProbeResult> {
  const { stdout } = await withInput(input, (inputArgs, stdin) => {
    // ffprobe takes the input as a positional argument, not -i.
    const args = inputArgs.filter((a) => a !== "-i");
    return runProcess(
      FFPROBE_BIN,
      [
        "-hide_banner", "-loglevel", "error",
        "-of", "json",
        "-show_entries",
        "stream=index,codec_type,codec_name,width,height,duration,r_frame_rate,avg_frame_rate,nb_frames,sample_rate,channels:stream_disposition=attached_pic:format=duration,format_name",
        ...args,
      ],
      stdin,
      { maxOutputBytes: 1024 * 1024, ...options },
    );
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.toString("utf8"));
  } catch {
    throw new FfmpegError("exit", "ffprobe printed invalid JSON.", undefined, "");
  }
  const result = parsed as Partial<ProbeResult>;
  return { streams: Array.isArray(result.streams) ? result.streams : [], ...(result.format === undefined ? {} : { format: result.format }) };
}

/** A positive finite number of seconds from an ffprobe field, else undefined. */
export function probeSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** Frames per second from "30000/1001", else undefined. */
export function probeRate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const [num, den] = value.split("/").map(Number);
  if (num === undefined || !Number.isFinite(num) || num <= 0) return undefined;
  const rate = den === undefined ? num : num / den;
  return Number.isFinite(rate) && rate > 0 && rate < 10_000 ? rate : undefined;
}
