// The prosody model's benchmarks, reached through prosodyModel.benchmark():
// * `prosody`: 5 s 16 kHz mono WAV of speech, prosody only (bar: e2e p50 ≤ 80 ms);
// * `prosody-webm`: the same 5 s as WebM/Opus, what browsers record (bar: e2e p50 ≤ 150 ms);
// * `prosody-stream`: 20 connections each streaming 1 s WAV chunks in real time, every reply over the
//   stream's 5 s window (bar: no chunk waits past its time).
// Both cut from the shared samples (MOODWIRE_SHARED samples/audio/) with ffmpeg; without them the
// benchmark is unavailable.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { decodeMedia, readPayload } from "../../media/index.js";
import { DEFAULT_LIMITS } from "../../protocol/index.js";
import { sharedDirectory } from "../../runtime/paths.js";
import type { BenchmarkFigures, BenchmarkRunner, ModelBenchmark } from "../benchmark.js";
import { readProsodyConfig } from "./config.js";
import { ProsodyKernel } from "./kernel.js";

/** Two different 5 s stretches of the shared speech-silence-speech sample, so outputs do not repeat. */
export const CUTS = [["0", "5"], ["9.5", "5"]] as const;
/** Whole seconds of the sample streamed in 1 s chunks. */
const CHUNKS = 17;

/** The shared speech sample the audio benchmarks cut from; throws when the samples are absent. */
export function speechSample(): string {
  const source = `${sharedDirectory()}samples/audio/concat_speech_silence_speech.wav`;
  if (!existsSync(source)) throw new Error(`the shared audio samples are absent (${source}); set MOODWIRE_SHARED`);
  return source;
}

/** `seconds` of `source` from `start`, as 16 kHz mono in the given ffmpeg output format. */
export function cut(source: string, start: string, seconds: string, format: string[]): Buffer {
  return execFileSync("ffmpeg", ["-nostdin", "-loglevel", "error", "-ss", start, "-t", seconds, "-i", source, "-ac", "1", "-ar", "16000", ...format, "pipe:1"], { maxBuffer: 16 * 1024 * 1024 });
}

/** The clips as the server decodes them: 16 kHz mono samples. */
export async function decodedClips(clips: Buffer[]): Promise<Float32Array[]> {
  return Promise.all(clips.map(async (clip) => {
    const media = await decodeMedia(readPayload(clip.toString("base64"), false, DEFAULT_LIMITS), { frameRate: undefined, audio: true, audioWindow: true }, DEFAULT_LIMITS);
    if (media.kind !== "audio") throw new Error(`benchmark media decoded as ${media.kind}`);
    return media.audio.samples;
  }));
}

/** The prosody kernel, loaded in this process, and one call of it on a window. */
export async function prosodyKernelAlone(): Promise<(samples: Float32Array) => Promise<unknown>> {
  const kernel = new ProsodyKernel();
  await kernel.load({ intraOpThreads: 1 });
  const { prior } = readProsodyConfig();
  return (samples) => kernel.run([{ samples, start: 0, normalisation: prior }]);
}

async function kernelAlone(clips: Buffer[], what: string): Promise<BenchmarkRunner> {
  const run = await prosodyKernelAlone();
  const windows = await decodedClips(clips);
  return {
    method: `prosody kernel (kernel.js) run([input]) in the bench process on ${what} decoded beforehand, 1 intra-op thread`,
    run: (i) => run(windows[i % windows.length]!),
    close: async () => undefined,
  };
}

export async function prosodyBenchmarks(): Promise<ModelBenchmark[]> {
  const source = speechSample();
  const wavs = CUTS.map(([start, seconds]) => cut(source, start, seconds, ["-c:a", "pcm_s16le", "-f", "wav"]));
  const chunks = Array.from({ length: CHUNKS }, (_, i) => cut(source, String(i), "1", ["-c:a", "pcm_s16le", "-f", "wav"]));
  const webms = CUTS.map(([start, seconds]) => cut(source, start, seconds, ["-c:a", "libopus", "-b:a", "32k", "-f", "webm"]));
  const messages = (clips: Buffer[]) => clips.map((clip) => ({ data: clip.toString("base64"), models: { prosody: {} } }));
  return [
    {
      scenarios: ["prosody"],
      messages: messages(wavs),
      inputs: { audio: "2 distinct 5 s 16 kHz mono WAVs of speech (shared samples), prosody: {}" },
      modelAlone: () => kernelAlone(wavs, "the WAVs"),
      bars: (figures: BenchmarkFigures) => ({ issue17_wav_5s_e2e_p50_le_80ms: figures.e2eP50Ms <= 80 }),
    },
    {
      scenarios: ["prosody-stream"],
      messages: messages(chunks),
      inputs: { audio: `consecutive 1 s 16 kHz WAV chunks of the shared speech sample (${chunks.length}), each connection from its own start, prosody: {} (5 s stream window)` },
      defaults: { connections: 20, paceMs: 1000, payloads: 600, sequential: 100, modelIterations: 100 },
      modelAlone: () => kernelAlone(wavs, "5 s windows (what each chunk's reply analyses once the window is full)"),
      bars: (figures: BenchmarkFigures) => ({ issue17_stream_20_connections_1s_chunks_keep_up: figures.lateSends === 0 }),
    },
    {
      scenarios: ["prosody-webm"],
      messages: messages(webms),
      inputs: { audio: "the same 5 s as WebM/Opus 32 kb/s, prosody: {}" },
      defaults: { payloads: 400, sequential: 200 },
      modelAlone: () => kernelAlone(webms, "the WebM/Opus clips"),
      bars: (figures: BenchmarkFigures) => ({ issue17_webm_5s_e2e_p50_le_150ms: figures.e2eP50Ms <= 150 }),
    },
  ];
}
