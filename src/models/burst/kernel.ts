// The burst model's compute, inside a pool worker: every window of the batch cut into YAMNet patches
// and scored coarse to fine (each pass one run for the whole batch), class scores grouped into burst
// families, events found in time, and each event's families projected onto the 48 expressions.

import type { Kernel, KernelOptions } from "../../runtime/kernel.js";
import { rms } from "../audio-features/index.js";
import { detectEvents, type BurstEvent } from "./events.js";
import { projectBurst } from "./expressions.js";
import { BURST_FAMILIES, familyClassIndices, familyScores } from "./families.js";
import type { BurstKernelInput, BurstKernelOutput } from "./kernel-types.js";
import { CLASS_COUNT, patchOffsets, PATCH_SAMPLES, Yamnet, yamnetClassNames } from "./yamnet.js";

/** −60 dBFS: below it a patch is silence (digital or a quiet room), not a vocalisation. */
export const SILENT_RMS = 1e-3;

/**
 * A coarse patch where some family scores at least this gets its fine neighbours scored too. Plain
 * speech stays below it (EmoDB: every family's 99th-percentile patch score is ≤ 0.04), while a burst
 * that peaks between two coarse patches still shows in one of them at this level.
 */
export const REFINE_AT = 0.05;

function stirred(row: Float32Array | undefined): boolean {
  return row !== undefined && row.some((score) => score >= REFINE_AT);
}

/** YAMNet and the family grouping: family scores per patch of whole clips, used by the kernel and the evaluation. */
export class BurstScorer {
  private constructor(private readonly yamnet: Yamnet, private readonly indices: number[][]) {}

  static async load(intraOpThreads: number): Promise<BurstScorer> {
    return new BurstScorer(await Yamnet.load(intraOpThreads), familyClassIndices(yamnetClassNames()));
  }

  /**
   * For each clip: the offsets of the patches scored and their family scores [patches × families].
   * Coarse to fine: every other patch of the 0.48 s grid first (0.96 s apart, the last flush with the
   * end), then the in-between patches next to a coarse patch where some family reached REFINE_AT, so
   * speech without bursts costs about half the patches and bursts keep the fine grid. All
   * clips' patches of a pass go through YAMNet in one run.
   */
  async score(clips: readonly Float32Array[]): Promise<{ offsets: number[]; families: Float32Array }[]> {
    const grids = clips.map((samples) => patchOffsets(samples.length));
    const coarse = grids.map((grid) => grid.map((_, p) => p % 2 === 0 || p === grid.length - 1));
    const first = await this.scoreSelected(clips, grids, coarse);
    const fine = grids.map((grid, i) => grid.map((_, p) => !coarse[i]![p]! && [p - 1, p + 1].some((q) => stirred(first[i]!.get(q)))));
    const second = await this.scoreSelected(clips, grids, fine);
    return grids.map((grid, i) => {
      const rows = new Map([...first[i]!, ...second[i]!]);
      const order = [...rows.keys()].sort((a, b) => a - b);
      const families = new Float32Array(order.length * BURST_FAMILIES.length);
      order.forEach((p, k) => families.set(rows.get(p)!, k * BURST_FAMILIES.length));
      return { offsets: order.map((p) => grid[p]!), families };
    });
  }

  /**
   * Family scores of the selected patches of each clip, by patch index. A patch quieter than SILENT_RMS
   * (−60 dBFS) holds no burst: it scores 0 without running the network.
   */
  private async scoreSelected(clips: readonly Float32Array[], grids: readonly number[][], selected: readonly boolean[][]): Promise<Map<number, Float32Array>[]> {
    const width = BURST_FAMILIES.length;
    const rows = clips.map(() => new Map<number, Float32Array>());
    const sounding: { clip: number; patch: number; samples: Float32Array }[] = [];
    clips.forEach((samples, i) => grids[i]!.forEach((offset, p) => {
      if (!selected[i]![p]) return;
      const patch = samples.subarray(offset, offset + PATCH_SAMPLES);
      if (rms(patch) < SILENT_RMS) rows[i]!.set(p, new Float32Array(width));
      else sounding.push({ clip: i, patch: p, samples: patch });
    }));
    if (sounding.length === 0) return rows;
    const batch = new Float32Array(sounding.length * PATCH_SAMPLES);
    sounding.forEach(({ samples }, k) => batch.set(samples, k * PATCH_SAMPLES));
    const scores = familyScores(await this.yamnet.scores(batch, sounding.length), CLASS_COUNT, this.indices);
    sounding.forEach(({ clip, patch }, k) => rows[clip]!.set(patch, scores.slice(k * width, (k + 1) * width)));
    return rows;
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
