// The facemesh model (spec §2.3, §3.1 FacemeshItem, §6.7): a payload of landmark meshes (faces × 478 × 3,
// MediaPipe's layout, in pixels or normalised coordinates) answered with the 48 face expressions per
// face, in order, computed by ./kernel.js in the shared worker pool. The payload was validated when it
// was read (E0207 for a wrong shape).

import type { DecodedMedia, DecodeNeeds } from "../../media/types.js";
import { NO_DECODE_NEEDS } from "../../media/types.js";
import { EXPRESSION_LABELS, type FacemeshPrediction, type ModelOutput } from "../../protocol/index.js";
import { labelScores } from "../../protocol/node/index.js";
import type { KernelHandle } from "../../runtime/worker-pool.js";
import { missingFaceFiles } from "../face/config.js";
import type { ExpressionModel, ModelFactory, ModelRuntimeOptions } from "../types.js";
import { CONFIG_PATH, facemeshConfigured } from "./config.js";
import { MESH_FLOATS } from "../face/mesh.js";
import type { FacemeshKernelInput, FacemeshKernelOutput } from "./kernel-types.js";

class FacemeshModel implements ExpressionModel<"facemesh"> {
  readonly name = "facemesh" as const;
  private readonly kernel: KernelHandle<FacemeshKernelInput, FacemeshKernelOutput>;

  constructor(options: ModelRuntimeOptions) {
    this.kernel = options.pool.add<FacemeshKernelInput, FacemeshKernelOutput>({
      url: new URL("./kernel.js", import.meta.url).href,
      weight: (input) => Math.max(1, input.faces.length),
      maxWorkers: options.maxWorkers,
    });
  }

  async load(): Promise<void> {
    await this.kernel.run({ faces: [new Float32Array(MESH_FLOATS)] });
  }

  async predict(media: DecodedMedia): Promise<ModelOutput<FacemeshPrediction>> {
    if (media.kind !== "facemesh") throw new Error(`the facemesh model cannot read ${media.kind} media`);
    const faces = media.faces.map((face) => Float32Array.from(face.flat()));
    const { expressions } = await this.kernel.run({ faces });
    return { predictions: expressions.map((scores) => ({ emotions: labelScores(EXPRESSION_LABELS, scores, 0) })) };
  }
}

export const facemeshModel: ModelFactory<"facemesh"> = {
  name: "facemesh",
  needs: (): DecodeNeeds => NO_DECODE_NEEDS,
  isInstalled: () => facemeshConfigured() && missingFaceFiles().length === 0,
  notInstalledReason: () =>
    facemeshConfigured()
      ? `it reads the face model's files, and ${missingFaceFiles().join(", ")} are missing (npm run fetch-models).`
      : `${CONFIG_PATH()} is missing; train and export it with training/facemesh/train.py.`,
  create(options: ModelRuntimeOptions): ExpressionModel<"facemesh"> {
    return new FacemeshModel(options);
  },
  benchmark: async () => (await import("./benchmark.js")).facemeshBenchmarks(),
};
