// Per-segment prosodic functionals: statistics of the frame descriptors (pitch, energy, spectral shape,
// MFCCs) over one speech segment. The vector the prosody classifier reads, in FEATURE_NAMES order.
// Absolute levels (mean loudness, MFCC c0's mean) are left out: microphones, gain control and corpora
// that normalise each file's peak (EmoDB) change them without any change in the voice, and with them a
// model trained on RAVDESS read EmoDB's angry speech as quiet (cross-corpus UAR 0.28 → 0.46 without).

import { AUDIO_SAMPLE_RATE } from "../../media/types.js";
import { PITCH_FRAME_SAMPLES, type PitchTrack } from "./pitch.js";
import type { SampleRange } from "./segments.js";
import { FRAME_SAMPLES, HOP_SAMPLES, MEL_BANDS, MFCC_COUNT, type SpectralFrames } from "./spectral.js";

/** Frames this far below the segment's loudest count as pauses. */
const PAUSE_BELOW_PEAK_DB = 35;

// c0 is the frame's level: its mean is left out with the other absolute levels (see below), its spread kept.
const MFCC_NAMES = ["mfcc0_sd", ...Array.from({ length: MFCC_COUNT - 1 }, (_, c) => [`mfcc${c + 1}_mean`, `mfcc${c + 1}_sd`]).flat()];
const MFCC_DELTA_NAMES = Array.from({ length: MFCC_COUNT }, (_, c) => `mfcc${c}_delta_sd`);
const MFCC_VOICED_NAMES = Array.from({ length: MFCC_COUNT - 1 }, (_, c) => `mfcc${c + 1}_voiced_mean`);
/** Mel bands below this one are the tilt's low side (≲ 1 kHz); from TILT_HIGH_BAND up, its high side (≳ 2.7 kHz). */
const TILT_LOW_BANDS = 20;
const TILT_HIGH_BAND = 40;

export const FEATURE_NAMES: readonly string[] = [
  "f0_mean_st", "f0_sd_st", "f0_p10_st", "f0_p90_st", "f0_range_st", "f0_slope_st_per_s", "f0_jitter_st",
  "voiced_fraction", "voicing_mean", "voiced_onsets_per_s",
  "energy_sd_db", "energy_range_db", "energy_delta_sd_db", "energy_shimmer_db", "pause_fraction",
  "centroid_mean_hz", "centroid_sd_hz", "flatness_mean", "alpha_ratio_mean_db",
  ...MFCC_NAMES,
  // Second set (v2): how the voice moves and where its energy sits, relative to the segment's own level.
  ...MFCC_DELTA_NAMES, ...MFCC_VOICED_NAMES,
  "f0_rising_fraction", "f0_median_st", "voiced_run_mean_s", "voiced_run_sd_s",
  "spectral_flux_mean", "spectral_flux_sd", "spectral_tilt_mean_db", "spectral_tilt_sd_db",
  "energy_median_below_peak_db", "energy_skew",
];

/** Semitones above 100 Hz. */
export const semitones = (hz: number): number => 12 * Math.log2(hz / 100);

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length === 0 ? 0 : sum / values.length;
}

function sd(values: ArrayLike<number>): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i]! - m) ** 2;
  return Math.sqrt(sum / values.length);
}

function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
}

/** Least-squares slope of values over their times (seconds). */
function slope(times: number[], values: number[]): number {
  if (values.length < 2) return 0;
  const mt = mean(times), mv = mean(values);
  let num = 0, den = 0;
  for (let i = 0; i < values.length; i++) {
    num += (times[i]! - mt) * (values[i]! - mv);
    den += (times[i]! - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Indices of the frames of `frameSamples` that lie wholly inside `range`. */
export function framesIn(range: SampleRange, frameSamples: number, count: number): [number, number] {
  const first = Math.ceil(range.start / HOP_SAMPLES);
  const last = Math.min(count - 1, Math.floor((range.end - frameSamples) / HOP_SAMPLES));
  return [first, Math.max(first - 1, last)];
}

/** Each value less the one before it. */
function differences(values: readonly number[]): number[] {
  return values.slice(1).map((v, k) => v - values[k]!);
}

function meanAbsDelta(values: number[]): number {
  if (values.length < 2) return 0;
  let sum = 0;
  for (let i = 1; i < values.length; i++) sum += Math.abs(values[i]! - values[i - 1]!);
  return sum / (values.length - 1);
}

function skew(values: ArrayLike<number>): number {
  const m = mean(values), s = sd(values);
  if (s === 0) return 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += ((values[i]! - m) / s) ** 3;
  return sum / values.length;
}

/** Lengths, in frames, of the runs of consecutive voiced frames. */
function voicedRuns(voiced: readonly boolean[]): number[] {
  const runs: number[] = [];
  let run = 0;
  for (const v of [...voiced, false]) {
    if (v) run++;
    else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  return runs;
}

/** Natural log of the summed mel energy of bands [from, to) of frame `frame`. */
function bandLogEnergy(logMel: Float32Array, frame: number, from: number, to: number): number {
  let sum = 0;
  for (let band = from; band < to; band++) sum += Math.exp(logMel[frame * MEL_BANDS + band]!);
  return Math.log(sum);
}

/** Root-mean-square change of the log-mel bands from each frame to the next, frames [first, last]. */
function spectralFlux(logMel: Float32Array, first: number, last: number): number[] {
  const flux: number[] = [];
  for (let i = first + 1; i <= last; i++) {
    let sum = 0;
    for (let band = 0; band < MEL_BANDS; band++) sum += (logMel[i * MEL_BANDS + band]! - logMel[(i - 1) * MEL_BANDS + band]!) ** 2;
    flux.push(Math.sqrt(sum / MEL_BANDS));
  }
  return flux;
}

const NATURAL_LOG_TO_DB = 10 / Math.LN10;

/** The FEATURE_NAMES vector of one segment of the analysed clip. */
export function segmentFunctionals(spectral: SpectralFrames, pitch: PitchTrack, range: SampleRange): Float32Array {
  const seconds = Math.max(1e-3, (range.end - range.start) / AUDIO_SAMPLE_RATE);
  const [p0, p1] = framesIn(range, PITCH_FRAME_SAMPLES, pitch.count);
  const f0: number[] = [], f0Times: number[] = [], voicing: number[] = [], voicedFlags: boolean[] = [];
  let onsets = 0, wasVoiced = false;
  for (let i = p0; i <= p1; i++) {
    voicing.push(pitch.voicing[i]!);
    const voiced = pitch.f0Hz[i]! > 0;
    voicedFlags.push(voiced);
    if (voiced) {
      f0.push(semitones(pitch.f0Hz[i]!));
      f0Times.push((i * HOP_SAMPLES) / AUDIO_SAMPLE_RATE);
      if (!wasVoiced) onsets++;
    }
    wasVoiced = voiced;
  }
  const f0Sorted = Float64Array.from(f0).sort();

  const [s0, s1] = framesIn(range, FRAME_SAMPLES, spectral.count);
  const energy = Array.from(spectral.energyDb.subarray(s0, s1 + 1));
  const energySorted = Float64Array.from(energy).sort();
  const peak = energySorted.length === 0 ? 0 : energySorted[energySorted.length - 1]!;
  // A spectral frame is voiced when the pitch frame of the same index is (both start at i·HOP_SAMPLES).
  const isVoiced = (frame: number): boolean => pitch.f0Hz[frame] !== undefined && pitch.f0Hz[frame]! > 0;
  const isPause = (db: number): boolean => db < peak - PAUSE_BELOW_PEAK_DB;
  const voicedEnergy = energy.filter((_, k) => isVoiced(s0 + k));
  const mfccStats: number[] = [], mfccDeltaSd: number[] = [], mfccVoicedMean: number[] = [];
  for (let c = 0; c < MFCC_COUNT; c++) {
    const column = energy.map((_, k) => spectral.mfcc[(s0 + k) * MFCC_COUNT + c]!);
    if (c > 0) mfccStats.push(mean(column));
    mfccStats.push(sd(column));
    mfccDeltaSd.push(sd(differences(column)));
    if (c > 0) {
      const voicedColumn = column.filter((_, k) => isVoiced(s0 + k));
      mfccVoicedMean.push(mean(voicedColumn.length > 0 ? voicedColumn : column));
    }
  }
  const f0Deltas = differences(f0);
  const runs = voicedRuns(voicedFlags).map((frames) => (frames * HOP_SAMPLES) / AUDIO_SAMPLE_RATE);
  const flux = spectralFlux(spectral.logMel, s0, s1);
  const tilt: number[] = [];
  for (let k = 0; k < energy.length; k++) {
    if (isPause(energy[k]!)) continue;
    tilt.push(NATURAL_LOG_TO_DB * (bandLogEnergy(spectral.logMel, s0 + k, TILT_HIGH_BAND, MEL_BANDS) - bandLogEnergy(spectral.logMel, s0 + k, 0, TILT_LOW_BANDS)));
  }
  const centroid = spectral.centroidHz.subarray(s0, s1 + 1);
  const features = [
    mean(f0), sd(f0), percentile(f0Sorted, 0.1), percentile(f0Sorted, 0.9), percentile(f0Sorted, 0.9) - percentile(f0Sorted, 0.1),
    slope(f0Times, f0), meanAbsDelta(f0),
    voicing.length === 0 ? 0 : f0.length / voicing.length, mean(voicing), onsets / seconds,
    sd(energy), percentile(energySorted, 0.9) - percentile(energySorted, 0.1), sd(differences(energy)), meanAbsDelta(voicedEnergy),
    energy.length === 0 ? 0 : energy.filter(isPause).length / energy.length,
    mean(centroid), sd(centroid), mean(spectral.flatness.subarray(s0, s1 + 1)), mean(spectral.alphaRatioDb.subarray(s0, s1 + 1)),
    ...mfccStats,
    ...mfccDeltaSd, ...mfccVoicedMean,
    f0Deltas.length === 0 ? 0 : f0Deltas.filter((d) => d > 0).length / f0Deltas.length, percentile(f0Sorted, 0.5),
    mean(runs), sd(runs),
    mean(flux), sd(flux), mean(tilt), sd(tilt),
    peak - percentile(energySorted, 0.5), skew(energy),
  ];
  return Float32Array.from(features);
}
