// The prosody model (spec §3.1 ProsodyItem, §3.6): the 48 expressions of the voice for each speech
// segment in the stream's audio window, times on the stream timeline. Features are normalised by the
// speaker's running statistics over the stream (blended with the training corpora's until enough speech
// has been heard; reset_stream starts over), computed by ./kernel.js in the shared worker pool.

import { AUDIO_SAMPLE_RATE, type DecodedMedia, type DecodeNeeds } from "../../media/types.js";
import { noDetection, type ModelOutput, type TimedPrediction } from "../../protocol/index.js";
import type { KernelHandle } from "../../runtime/worker-pool.js";
import type { VadProgress } from "../audio-features/index.js";
import { AUDIO_WINDOW_NEEDS, audioWindowWeight, timedPredictions } from "../audio-features/timeline.js";
import type { ExpressionModel, ModelFactory, ModelRuntimeOptions, PredictContext } from "../types.js";
import { CONFIG_PATH, prosodyInstalled, readProsodyConfig, type ProsodyModelConfig } from "./config.js";
import type { ProsodyKernelInput, ProsodyKernelOutput } from "./kernel-types.js";
import { SpeakerStatistics } from "./statistics.js";

const STATISTICS_KEY = "prosody.speaker-statistics";
const VAD_KEY = "prosody.vad-progress";

class ProsodyModel implements ExpressionModel<"prosody"> {
  readonly name = "prosody" as const;
  private readonly kernel: KernelHandle<ProsodyKernelInput, ProsodyKernelOutput>;
  private readonly config: ProsodyModelConfig = readProsodyConfig();

  constructor(options: ModelRuntimeOptions) {
    this.kernel = options.pool.add<ProsodyKernelInput, ProsodyKernelOutput>({
      url: new URL("./kernel.js", import.meta.url).href,
      weight: audioWindowWeight,
      maxWorkers: options.maxWorkers,
    });
  }

  async load(): Promise<void> {
    await this.kernel.run({ samples: new Float32Array(AUDIO_SAMPLE_RATE), start: 0, normalisation: this.config.prior });
  }

  async predict(media: DecodedMedia, _config: unknown, context: PredictContext): Promise<ModelOutput<TimedPrediction>> {
    const window = context.audioWindow;
    const payloadSamples = media.kind === "audio" || media.kind === "video" ? (media.audio?.samples.length ?? 0) : 0;
    if (window === undefined || window.samples.length === 0) return noDetection("prosody");
    const statistics = context.session.streamState(STATISTICS_KEY, () => new SpeakerStatistics());
    // The VAD carries on from the previous payload's window, so each payload's VAD reads only its own audio.
    const vad = context.session.streamState(VAD_KEY, (): { progress?: VadProgress } => ({}));
    const start = Math.round(window.startTime * AUDIO_SAMPLE_RATE);
    const { segments, vad: progress } = await this.kernel.run({ samples: window.samples, start, vad: vad.progress, normalisation: statistics.normalisation(this.config.prior) });
    vad.progress = progress;
    // Segments ending in this payload's new audio join the speaker's statistics; older ones were counted
    // when their audio arrived.
    const newFrom = (window.samples.length - payloadSamples) / AUDIO_SAMPLE_RATE;
    for (const segment of segments) if (segment.end > newFrom) statistics.add(segment.features, segment.frames);
    if (segments.length === 0) return noDetection("prosody");
    return timedPredictions(window, segments);
  }
}

export const prosodyModel: ModelFactory<"prosody"> = {
  name: "prosody",
  needs: (): DecodeNeeds => AUDIO_WINDOW_NEEDS,
  isInstalled: prosodyInstalled,
  notInstalledReason: () => `${CONFIG_PATH()} is missing; train and export it with training/prosody/train.py --export.`,
  create(options: ModelRuntimeOptions): ExpressionModel<"prosody"> {
    return new ProsodyModel(options);
  },
  benchmark: async () => (await import("./benchmark.js")).prosodyBenchmarks(),
};
