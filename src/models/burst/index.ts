// The burst model (spec §3.1 BurstItem): non-verbal vocalisations (laughs, cries, screams, sighs…) in
// the stream's audio window, each as a time range on the stream timeline with the 48 expressions.
// YAMNet scores the window in patches (./kernel.js, in the shared worker pool); no event → W0101.

import { AUDIO_SAMPLE_RATE, type DecodedMedia, type DecodeNeeds } from "../../media/types.js";
import { noDetection, type ModelOutput, type TimedPrediction } from "../../protocol/index.js";
import type { KernelHandle } from "../../runtime/worker-pool.js";
import { AUDIO_WINDOW_NEEDS, audioWindowWeight, timedPredictions } from "../audio-features/timeline.js";
import type { ExpressionModel, ModelFactory, ModelRuntimeOptions, PredictContext } from "../types.js";
import type { BurstKernelInput, BurstKernelOutput } from "./kernel-types.js";
import { yamnetInstalled, yamnetPaths } from "./yamnet.js";

class BurstModel implements ExpressionModel<"burst"> {
  readonly name = "burst" as const;
  private readonly kernel: KernelHandle<BurstKernelInput, BurstKernelOutput>;

  constructor(options: ModelRuntimeOptions) {
    this.kernel = options.pool.add<BurstKernelInput, BurstKernelOutput>({
      url: new URL("./kernel.js", import.meta.url).href,
      weight: audioWindowWeight,
      maxWorkers: options.maxWorkers,
    });
  }

  async load(): Promise<void> {
    await this.kernel.run({ samples: new Float32Array(AUDIO_SAMPLE_RATE) });
  }

  async predict(_media: DecodedMedia, _config: unknown, context: PredictContext): Promise<ModelOutput<TimedPrediction>> {
    const window = context.audioWindow;
    if (window === undefined || window.samples.length === 0) return noDetection("burst");
    const { events } = await this.kernel.run({ samples: window.samples });
    if (events.length === 0) return noDetection("burst");
    return timedPredictions(window, events);
  }
}

export const burstModel: ModelFactory<"burst"> = {
  name: "burst",
  needs: (): DecodeNeeds => AUDIO_WINDOW_NEEDS,
  isInstalled: yamnetInstalled,
  notInstalledReason: () => `${yamnetPaths().model} is missing; install it with npm run fetch-models (from the pinned upstream URL, or a mirror in MOODWIRE_MODEL_MIRROR).`,
  create(options: ModelRuntimeOptions): ExpressionModel<"burst"> {
    return new BurstModel(options);
  },
  benchmark: async () => (await import("./benchmark.js")).burstBenchmarks(),
};
