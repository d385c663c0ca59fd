// The burst model's compute, inside a pool worker: every window of the batch cut into YAMNet patches
// and scored in one run, class scores grouped into burst families, events found in time, and each
// event's families projected onto the 48 expressions.

import type { Kernel, KernelOptions } from "../../runtime/kernel.js";
import { detectEvents, type BurstEvent } from "./events.js";
import { projectBurst } from "./expressions.js";
import { familyClassIndices, familyScores } from "./families.js";
import type { BurstKernelInput, BurstKernelOutput } from "./kernel-types.js";
import { CLASS_COUNT, cutPatches, patchOffsets, PATCH_SAMPLES, Yamnet, yamnetClassNames } from "./yamnet.js";

/** YAMNet and the family grouping: family scores per patch of whole clips, used by the kernel and the evaluation. */
export class BurstScorer {
  private constructor(private readonly yamnet: Yamnet, private readonly indices: number[][]) {}

  static async load(intraOpThreads: number): Promise<BurstScorer> {
    return new BurstScorer(await Yamnet.load(intraOpThreads), familyClassIndices(yamnetClassNames()));
  }

  /** For each clip: its patch offsets and family scores [patches × families], all clips in one YAMNet run. */
  async score(clips: readonly Float32Array[]): Promise<{ offsets: number[]; families: Float32Array }[]> {
    const offsets = clips.map((samples) => patchOffsets(samples.length));
    const total = offsets.reduce((sum, o) => sum + o.length, 0);
    const patches = new Float32Array(total * PATCH_SAMPLES);
    let at = 0;
    clips.forEach((samples, i) => {
      patches.set(cutPatches(samples, offsets[i]!), at * PATCH_SAMPLES);
      at += offsets[i]!.length;
    });
    const families = familyScores(await this.yamnet.scores(patches, total), CLASS_COUNT, this.indices);
    const width = this.indices.length;
    let first = 0;
    return offsets.map((o) => {
      const part = families.slice(first * width, (first + o.length) * width);
      first += o.length;
      return { offsets: o, families: part };
    });
  }

  /** Burst events of each clip. */
  async events(clips: readonly Float32Array[]): Promise<BurstEvent[][]> {
    const scored = await this.score(clips);
    return scored.map(({ offsets, families }, i) => detectEvents(families, offsets, clips[i]!.length));
  }
}

export class BurstKernel implements Kernel<BurstKernelInput, BurstKernelOutput> {
  private scorer!: BurstScorer;

  async load(options: KernelOptions): Promise<void> {
    this.scorer = await BurstScorer.load(options.intraOpThreads);
    // Warm-up: the first run allocates, which belongs in loading rather than in the first payload.
    await this.scorer.score([new Float32Array(PATCH_SAMPLES)]);
  }

  async run(batch: BurstKernelInput[]): Promise<BurstKernelOutput[]> {
    const events = await this.scorer.events(batch.map((input) => input.samples));
    return events.map((list) => ({
      events: list.map((event) => ({ begin: event.begin, end: event.end, expressions: projectBurst(event.peaks) })),
    }));
  }
}

export default function burstKernel(): BurstKernel {
  return new BurstKernel();
}
