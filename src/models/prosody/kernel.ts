// The prosody model's compute, inside a pool worker: the audio front end over each window (speech
// segments, their functionals and frames), the stream's normalisation applied, each segment classified
// (one run per segment: segments differ in length), and the outputs projected onto the 48 expressions.

import { InferenceSession, Tensor } from "onnxruntime-node";
import type { Kernel, KernelOptions } from "../../runtime/kernel.js";
import { AudioFrontEnd, FEATURE_NAMES, FRAME_DESCRIPTORS, type AnalysedSegment } from "../audio-features/index.js";
import { readProsodyConfig } from "./config.js";
import { projectExpressions } from "./expressions.js";
import type { ProsodyKernelInput, ProsodyKernelOutput } from "./kernel-types.js";
import { normaliseFrames, type StreamNormalisation } from "./statistics.js";
import { sessionOptions } from "../../runtime/session-options.js";

export interface ProsodyClassifierOutputs {
  classes: Float32Array;
  arousal: Float32Array;
  valence: Float32Array;
}

/** What the classifier reads of a segment, before normalisation. */
export type RawSegment = Pick<AnalysedSegment, "features" | "frames">;

/** Runs the classifier on one segment, normalised here by the stream's statistics. */
export async function classifySegment(session: InferenceSession, segment: RawSegment, normalisation: StreamNormalisation): Promise<ProsodyClassifierOutputs> {
  const { mean, sd } = normalisation.features;
  const features = segment.features.map((value, f) => (value - mean[f]!) / sd[f]!);
  const frames = normaliseFrames(segment.frames, normalisation.frames);
  const result = await session.run({
    features: new Tensor("float32", features, [1, FEATURE_NAMES.length]),
    frames: new Tensor("float32", frames, [1, frames.length / FRAME_DESCRIPTORS, FRAME_DESCRIPTORS]),
  });
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
    await classifySegment(this.classifier, { features: new Float32Array(FEATURE_NAMES.length), frames: new Float32Array(100 * FRAME_DESCRIPTORS) }, config.prior);
  }

  async run(batch: ProsodyKernelInput[]): Promise<ProsodyKernelOutput[]> {
    const outputs: ProsodyKernelOutput[] = [];
    for (const input of batch) {
      const { segments, progress } = await this.frontEnd.analyseStream(input.samples, input.start, input.vad);
      const classified = [];
      for (const segment of segments) {
        const { classes, arousal, valence } = await classifySegment(this.classifier, segment, input.normalisation);
        classified.push({
          begin: segment.begin,
          end: segment.end,
          features: segment.features,
          frames: segment.frames,
          expressions: projectExpressions({ classes, arousal: arousal[0]!, valence: valence[0]! }),
        });
      }
      outputs.push({ segments: classified, vad: progress });
    }
    return outputs;
  }
}

export default function prosodyKernel(): ProsodyKernel {
  return new ProsodyKernel();
}
