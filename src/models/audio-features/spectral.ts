// One short-time Fourier pass over 16 kHz audio (25 ms Hann frames every 10 ms, 512-point FFT) and the
// per-frame descriptors prosody and burst models read from it: log-mel bands, MFCCs, energy, spectral
// centroid, flatness and alpha ratio.

import { AUDIO_SAMPLE_RATE } from "../../media/types.js";
import { hann, RealFft } from "./fft.js";

export const FRAME_SAMPLES = 400;
export const HOP_SAMPLES = 160;
export const FFT_SIZE = 512;
export const MEL_BANDS = 64;
export const MFCC_COUNT = 13;
const MEL_LOW_HZ = 60;
const MEL_HIGH_HZ = 7600;
/** Floor under powers before logarithms: −100 dB relative to full scale. */
const POWER_FLOOR = 1e-10;
/**
 * Total power up to which a frame is digital silence, with no spectral shape: far below one 16-bit step of
 * noise (~1e-8) and far above the rounding residue a silent frame keeps when it shared a transform with a
 * sounding one (RealFft.powerPair, ~1e-30).
 */
const SILENT_POWER = 1e-20;

export interface SpectralFrames {
  /** Frames analysed; frame i covers samples [i·HOP, i·HOP + FRAME). */
  count: number;
  /** count × MEL_BANDS natural-log mel energies. */
  logMel: Float32Array;
  /** count × MFCC_COUNT cepstral coefficients (c0 … c12). */
  mfcc: Float32Array;
  /** Frame energy, dB relative to a full-scale sine's mean square. */
  energyDb: Float32Array;
  /** Spectral centroid, Hz. */
  centroidHz: Float32Array;
  /** Spectral flatness (geometric over arithmetic mean power), 0 (tonal) … 1 (white noise). */
  flatness: Float32Array;
  /** Alpha ratio: energy 50–1000 Hz over 1–5 kHz, dB (higher: less vocal effort). */
  alphaRatioDb: Float32Array;
}

const melOf = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
const hzOf = (mel: number): number => 700 * (10 ** (mel / 2595) - 1);

/** Triangular mel filters over the FFT bins: for each band, its first bin and weights. */
function melFilters(): { first: Int32Array; weights: Float32Array[] } {
  const bins = FFT_SIZE / 2 + 1;
  const binHz = AUDIO_SAMPLE_RATE / FFT_SIZE;
  const edges = Array.from({ length: MEL_BANDS + 2 }, (_, i) => hzOf(melOf(MEL_LOW_HZ) + ((melOf(MEL_HIGH_HZ) - melOf(MEL_LOW_HZ)) * i) / (MEL_BANDS + 1)));
  const first = new Int32Array(MEL_BANDS);
  const weights: Float32Array[] = [];
  for (let band = 0; band < MEL_BANDS; band++) {
    const [lo, mid, hi] = [edges[band]!, edges[band + 1]!, edges[band + 2]!];
    const start = Math.max(0, Math.floor(lo / binHz));
    const end = Math.min(bins - 1, Math.ceil(hi / binHz));
    const w = new Float32Array(end - start + 1);
    for (let k = start; k <= end; k++) {
      const hz = k * binHz;
      w[k - start] = Math.max(0, Math.min((hz - lo) / (mid - lo), (hi - hz) / (hi - mid)));
    }
    first[band] = start;
    weights.push(w);
  }
  return { first, weights };
}

/** Orthonormal DCT-II rows 0 … MFCC_COUNT−1 over the mel bands. */
function dctRows(): Float32Array[] {
  return Array.from({ length: MFCC_COUNT }, (_, c) => {
    const row = new Float32Array(MEL_BANDS);
    const scale = Math.sqrt((c === 0 ? 1 : 2) / MEL_BANDS);
    for (let m = 0; m < MEL_BANDS; m++) row[m] = scale * Math.cos((Math.PI * c * (m + 0.5)) / MEL_BANDS);
    return row;
  });
}

/** Reusable analysis state (FFT tables, window, filters): build once per thread. */
export class SpectralAnalyser {
  private readonly fft = new RealFft(FFT_SIZE);
  private readonly window = hann(FRAME_SAMPLES);
  private readonly filters = melFilters();
  private readonly dct = dctRows();
  // Two: frames go through the FFT in pairs (RealFft.powerPair).
  private readonly power = [new Float32Array(FFT_SIZE / 2 + 1), new Float32Array(FFT_SIZE / 2 + 1)] as const;
  private readonly mel = new Float32Array(MEL_BANDS);
  /** Sum of the window's squares: turns a frame's power spectrum into its mean square. */
  private readonly windowEnergy = this.window.reduce((sum, w) => sum + w * w, 0);

  analyse(samples: Float32Array): SpectralFrames {
    const count = samples.length < FRAME_SAMPLES ? 0 : 1 + Math.floor((samples.length - FRAME_SAMPLES) / HOP_SAMPLES);
    const frames: SpectralFrames = {
      count,
      logMel: new Float32Array(count * MEL_BANDS),
      mfcc: new Float32Array(count * MFCC_COUNT),
      energyDb: new Float32Array(count),
      centroidHz: new Float32Array(count),
      flatness: new Float32Array(count),
      alphaRatioDb: new Float32Array(count),
    };
    const frameAt = (i: number): Float32Array => samples.subarray(i * HOP_SAMPLES, i * HOP_SAMPLES + FRAME_SAMPLES);
    for (let i = 0; i < count; i += 2) {
      if (i + 1 < count) {
        this.fft.powerPair(frameAt(i), frameAt(i + 1), this.power[0], this.power[1], this.window);
        this.describe(this.power[0], i, frames);
        this.describe(this.power[1], i + 1, frames);
      } else {
        this.describe(this.fft.power(frameAt(i), this.power[0], this.window), i, frames);
      }
    }
    return frames;
  }

  /** Frame `i`'s descriptors from its power spectrum. */
  private describe(power: Float32Array, i: number, frames: SpectralFrames): void {
    const binHz = AUDIO_SAMPLE_RATE / FFT_SIZE;
    const lowEnd = Math.round(1000 / binHz), lowStart = Math.round(50 / binHz), highEnd = Math.round(5000 / binHz);
    let total = 0, weighted = 0, logSum = 0, low = 0, high = 0;
    for (let k = 1; k < power.length; k++) {
      const p = power[k]!;
      total += p;
      weighted += p * k * binHz;
      logSum += Math.log(p + POWER_FLOOR);
      if (k >= lowStart && k < lowEnd) low += p;
      else if (k >= lowEnd && k < highEnd) high += p;
    }
    const bins = power.length - 1;
    // Parseval: the bins' power sums to FFT_SIZE/2 × Σ(windowed x²) over the half spectrum.
    const meanSquare = (2 * total) / (FFT_SIZE * this.windowEnergy);
    frames.energyDb[i] = 10 * Math.log10(meanSquare / 0.5 + POWER_FLOOR);
    const sounding = total > SILENT_POWER;
    frames.centroidHz[i] = sounding ? weighted / total : 0;
    frames.flatness[i] = sounding ? Math.exp(logSum / bins) / (total / bins + POWER_FLOOR) : 0;
    frames.alphaRatioDb[i] = 10 * Math.log10((low + POWER_FLOOR) / (high + POWER_FLOOR));
    for (let band = 0; band < MEL_BANDS; band++) {
      const w = this.filters.weights[band]!;
      const start = this.filters.first[band]!;
      let e = 0;
      for (let k = 0; k < w.length; k++) e += w[k]! * power[start + k]!;
      this.mel[band] = Math.log(e + POWER_FLOOR);
      frames.logMel[i * MEL_BANDS + band] = this.mel[band]!;
    }
    for (let c = 0; c < MFCC_COUNT; c++) {
      const row = this.dct[c]!;
      let v = 0;
      for (let m = 0; m < MEL_BANDS; m++) v += row[m]! * this.mel[m]!;
      frames.mfcc[i * MFCC_COUNT + c] = v;
    }
  }
}
