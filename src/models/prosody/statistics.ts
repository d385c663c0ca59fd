// A speaker's running feature statistics over one stream (Welford), and the normalisation they give:
// blended with the training corpora's global statistics, which dominate until the stream has spoken
// for a while, so the first segments of a connection are not normalised by themselves alone.

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
