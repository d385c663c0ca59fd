// Test-only: a real model behind its own one-worker pool, as the model tests drive it, and an audio
// payload through an audio model with the connection's stream window. Nothing here is shipped.

import { decodeMedia, readPayload } from "../../src/media/index.js";
import type { ExpressionModel, ModelFactory } from "../../src/models/types.js";
import { DEFAULT_LIMITS, type ModelName, type ModelOutput, type TimedPrediction } from "../../src/protocol/index.js";
import { existsSync } from "node:fs";
import { sharedDirectory } from "../../src/runtime/paths.js";
import { WorkerPool, type WorkerPoolOptions } from "../../src/runtime/worker-pool.js";
import type { ConnectionSession } from "../../src/session/session.js";
import { ffmpegAvailable } from "./media.js";

/** The shared audio samples (MOODWIRE_SHARED samples/audio/). */
export const AUDIO_SAMPLES = `${sharedDirectory()}samples/audio/`;

/** Why an audio model's tests cannot run here (also printed), or false. */
export function audioModelSkip(factory: ModelFactory<"prosody" | "burst">): string | false {
  const skip = !factory.isInstalled()
    ? `the ${factory.name} model is not installed: ${factory.notInstalledReason?.()}`
    : !existsSync(`${AUDIO_SAMPLES}speech_4s.wav`)
      ? `the shared audio samples are absent (${AUDIO_SAMPLES}): set MOODWIRE_SHARED`
      : !ffmpegAvailable()
        ? "ffmpeg is not installed"
        : false;
  if (skip !== false) console.log(`# ${factory.name} model tests skipped: ${skip}`);
  return skip;
}

export interface RunningModel<N extends ModelName> {
  model: ExpressionModel<N>;
  pool: WorkerPool;
}

/** `factory`'s model in a pool of one worker (workers only, no inline runs), loaded and warmed. */
export async function startModel<N extends ModelName>(factory: ModelFactory<N>, pool: Partial<WorkerPoolOptions> = {}): Promise<RunningModel<N>> {
  const running = new WorkerPool({ workers: 1, intraOpThreads: 1, batchWindowMs: 0, maxBatch: 16, taskTimeoutMs: 120_000, ...pool });
  const model = factory.create({ pool: running, maxWorkers: undefined, inlineWhenIdle: false });
  await running.start();
  await model.load();
  return { model, pool: running };
}

/** One audio payload (file bytes) through an audio model, its stream window `windowMs` on `session`. */
export async function predictAudio(factory: ModelFactory<"prosody" | "burst">, model: ExpressionModel<"prosody" | "burst">, bytes: Buffer, session: ConnectionSession, windowMs = 5000): Promise<ModelOutput<TimedPrediction>> {
  const needs = factory.needs({});
  const media = await decodeMedia(readPayload(bytes.toString("base64"), false, DEFAULT_LIMITS), needs, DEFAULT_LIMITS);
  return model.predict(media, {}, session.predictContext(media, needs, windowMs));
}
