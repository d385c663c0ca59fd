// A speaker's running feature statistics over one stream (Welford), and the normalisation they give:
// blended with the training corpora's global statistics, which dominate until the stream has spoken
// for a while, so the first segments of a connection are not normalised by themselves alone.

import { F0_DESCRIPTOR, FEATURE_NAMES, FRAME_DESCRIPTORS, MEL_BANDS, VOICED_DESCRIPTOR } from "../audio-features/index.js";

/** Added to every standard deviation, as in training: a feature constant over a stream divides by this. */
const SD_FLOOR = 1e-3;

export interface Normalisation {
  mean: Float32Array;
  sd: Float32Array;
}

export class RunningStatistics {
  private count = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  constructor(readonly size: number) {
    this.mean = new Float64Array(size);
    this.m2 = new Float64Array(size);
  }

  get segments(): number {
    return this.count;
  }

  add(values: ArrayLike<number>): void {
    this.count++;
    for (let i = 0; i < this.size; i++) {
      const delta = values[i]! - this.mean[i]!;
      this.mean[i] = this.mean[i]! + delta / this.count;
      this.m2[i] = this.m2[i]! + delta * (values[i]! - this.mean[i]!);
    }
  }

  /**
   * Mean and standard deviation from these statistics and a prior worth `priorWeight` segments: each a
   * count-weighted average of the stream's and the prior's (variances averaged, then rooted;
   * the prior's deviations already hold the floor).
   */
  normalisation(prior: Normalisation, priorWeight: number): Normalisation {
    const n = this.count;
    const total = n + priorWeight;
    const mean = new Float32Array(this.size);
    const sd = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const variance = n > 0 ? this.m2[i]! / n : 0;
      mean[i] = (n * this.mean[i]! + priorWeight * prior.mean[i]!) / total;
      sd[i] = Math.sqrt((n * variance + priorWeight * prior.sd[i]! ** 2) / total) + (n > 0 ? SD_FLOOR : 0);
    }
    return { mean, sd };
  }
}

/** Normalisations for both of the classifier's inputs. */
export interface StreamNormalisation {
  /** Segment functionals, FEATURE_NAMES order. */
  features: Normalisation;
  /** Frame descriptors, FRAME_DESCRIPTORS wide; the voiced flag and voicing are left as they are (mean 0, sd 1). */
  frames: Normalisation;
}

/** The training corpora's statistics and what each side of them is worth against a stream's own. */
export interface SpeakerPrior extends StreamNormalisation {
  segments: number;
  /** Worth of the prior in frames (the log-mel bands) and in voiced frames (F0). */
  frameCount: number;
  voicedFrameCount: number;
}

/**
 * A speaker's statistics over a stream: per segment for the functionals, per frame for the log-mel
 * bands, per voiced frame for F0 (unvoiced frames have none).
 */
export class SpeakerStatistics {
  private readonly functionals = new RunningStatistics(FEATURE_NAMES.length);
  private readonly spectrum = new RunningStatistics(MEL_BANDS);
  private readonly pitch = new RunningStatistics(1);

  get segments(): number {
    return this.functionals.segments;
  }

  add(features: ArrayLike<number>, frames: Float32Array): void {
    this.functionals.add(features);
    for (let row = 0; row < frames.length; row += FRAME_DESCRIPTORS) {
      this.spectrum.add(frames.subarray(row, row + MEL_BANDS));
      if (frames[row + VOICED_DESCRIPTOR] === 1) this.pitch.add(frames.subarray(row + F0_DESCRIPTOR, row + F0_DESCRIPTOR + 1));
    }
  }

  normalisation(prior: SpeakerPrior): StreamNormalisation {
    const part = (stats: RunningStatistics, from: number, to: number, weight: number): Normalisation =>
      stats.normalisation({ mean: prior.frames.mean.subarray(from, to), sd: prior.frames.sd.subarray(from, to) }, weight);
    const spectrum = part(this.spectrum, 0, MEL_BANDS, prior.frameCount);
    const pitch = part(this.pitch, F0_DESCRIPTOR, F0_DESCRIPTOR + 1, prior.voicedFrameCount);
    const frames: Normalisation = { mean: new Float32Array(FRAME_DESCRIPTORS), sd: new Float32Array(FRAME_DESCRIPTORS).fill(1) };
    frames.mean.set(spectrum.mean); frames.sd.set(spectrum.sd);
    frames.mean[F0_DESCRIPTOR] = pitch.mean[0]!; frames.sd[F0_DESCRIPTOR] = pitch.sd[0]!;
    return { features: this.functionals.normalisation(prior.features, prior.segments), frames };
  }
}

/** A segment's frames normalised: log-mel bands and voiced F0 z-scored, unvoiced F0 0, the voicing columns as they are. */
export function normaliseFrames(frames: Float32Array, normalisation: Normalisation): Float32Array {
  const out = new Float32Array(frames.length);
  for (let row = 0; row < frames.length; row += FRAME_DESCRIPTORS) {
    for (let d = 0; d < FRAME_DESCRIPTORS; d++) out[row + d] = (frames[row + d]! - normalisation.mean[d]!) / normalisation.sd[d]!;
    if (frames[row + VOICED_DESCRIPTOR] !== 1) out[row + F0_DESCRIPTOR] = 0;
  }
  return out;
}
