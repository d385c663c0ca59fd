// The prosody model's compute, inside a pool worker: the audio front end over each window (speech
// segments and their functionals), the stream's normalisation applied, every segment of the batch
// classified in one run, and the classifier's outputs projected onto the 48 expressions.

import { InferenceSession, Tensor } from "onnxruntime-node";
import type { Kernel, KernelOptions } from "../../runtime/kernel.js";
import { AudioFrontEnd, FEATURE_NAMES } from "../audio-features/index.js";
import { readProsodyConfig } from "./config.js";
import { projectExpressions } from "./expressions.js";
import type { ProsodyKernelInput, ProsodyKernelOutput } from "./kernel-types.js";
import { sessionOptions } from "../../runtime/session-options.js";

export interface ProsodyClassifierOutputs {
  classes: Float32Array;
  arousal: Float32Array;
  valence: Float32Array;
}

/** Runs the classifier on rows of normalised functionals (FEATURE_NAMES order), in one batch. */
export async function classifySegments(session: InferenceSession, rows: readonly Float32Array[]): Promise<ProsodyClassifierOutputs> {
  const width = FEATURE_NAMES.length;
  const features = new Float32Array(rows.length * width);
  rows.forEach((row, n) => features.set(row, n * width));
  const result = await session.run({ features: new Tensor("float32", features, [rows.length, width]) });
  return { classes: result.classes!.data as Float32Array, arousal: result.arousal!.data as Float32Array, valence: result.valence!.data as Float32Array };
}

export class ProsodyKernel implements Kernel<ProsodyKernelInput, ProsodyKernelOutput> {
  private frontEnd!: AudioFrontEnd;
  private classifier!: InferenceSession;

  async load(options: KernelOptions): Promise<void> {
    const config = readProsodyConfig();
    this.frontEnd = await AudioFrontEnd.load(options.intraOpThreads);
    this.classifier = await InferenceSession.create(config.classifierPath, sessionOptions(options.intraOpThreads));
    // Warm-up: the first runs allocate, which belongs in loading rather than in the first payload.
    await this.frontEnd.analyse(new Float32Array(16000));
    await classifySegments(this.classifier, [new Float32Array(FEATURE_NAMES.length)]);
  }

  async run(batch: ProsodyKernelInput[]): Promise<ProsodyKernelOutput[]> {
    const analysed = await Promise.all(batch.map(async (input) => (await this.frontEnd.analyse(input.samples)).segments));
    const rows = analysed.flatMap((segments, i) =>
      segments.map((segment) => segment.features.map((value, f) => (value - batch[i]!.mean[f]!) / batch[i]!.sd[f]!)),
    );
    const outputs = rows.length === 0 ? undefined : await classifySegments(this.classifier, rows);
    const classCount = outputs === undefined ? 0 : outputs.classes.length / rows.length;
    let row = 0;
    return analysed.map((segments) => ({
      segments: segments.map((segment) => {
        const n = row++;
        return {
          begin: segment.begin,
          end: segment.end,
          features: segment.features,
          expressions: projectExpressions({
            classes: outputs!.classes.subarray(n * classCount, (n + 1) * classCount),
            arousal: outputs!.arousal[n]!,
            valence: outputs!.valence[n]!,
          }),
        };
      }),
    }));
  }
}

export default function prosodyKernel(): ProsodyKernel {
  return new ProsodyKernel();
}
