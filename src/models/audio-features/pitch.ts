// F0 by normalised autocorrelation (Boersma 1993, simplified): 40 ms Hann frames every 10 ms, the
// frame's autocorrelation (through the FFT) divided by the window's, the strongest peak between 60 and
// 500 Hz. A frame is voiced when that peak reaches VOICED_CORRELATION and the frame is not silent.

import { AUDIO_SAMPLE_RATE } from "../../media/types.js";
import { hann, RealFft } from "./fft.js";
import { HOP_SAMPLES } from "./spectral.js";

export const PITCH_FRAME_SAMPLES = 640;
const FFT_SIZE = 1024;
const MIN_HZ = 60;
const MAX_HZ = 500;
/** Peak normalised autocorrelation from which a frame counts as voiced. */
export const VOICED_CORRELATION = 0.45;
/** A peak this close to the best one at a shorter lag wins (avoids octave-down errors). */
const OCTAVE_TOLERANCE = 0.9;
/** Frames quieter than this (RMS, full scale 1) are unvoiced whatever their periodicity. */
const SILENCE_RMS = 0.003;

export interface PitchTrack {
  /** Frames; frame i covers samples [i·HOP_SAMPLES, i·HOP_SAMPLES + PITCH_FRAME_SAMPLES). */
  count: number;
  /** F0 in Hz, 0 where unvoiced. */
  f0Hz: Float32Array;
  /** Peak normalised autocorrelation, 0 … 1 (periodicity). */
  voicing: Float32Array;
}

export class PitchTracker {
  private readonly fft = new RealFft(FFT_SIZE);
  private readonly window = hann(PITCH_FRAME_SAMPLES);
  private readonly windowAcf: Float64Array;
  // Two of each: frames go through the FFT in pairs (RealFft.powerPair, inverseEvenPair).
  private readonly power = [new Float32Array(FFT_SIZE / 2 + 1), new Float32Array(FFT_SIZE / 2 + 1)] as const;
  private readonly acf = [new Float64Array(FFT_SIZE), new Float64Array(FFT_SIZE)] as const;
  private readonly frame = [new Float32Array(PITCH_FRAME_SAMPLES), new Float32Array(PITCH_FRAME_SAMPLES)] as const;
  /** Normalised autocorrelation of the frame being read, by lag. */
  private readonly normalised = new Float64Array(FFT_SIZE);
  private readonly minLag = Math.floor(AUDIO_SAMPLE_RATE / MAX_HZ);
  private readonly maxLag = Math.ceil(AUDIO_SAMPLE_RATE / MIN_HZ);

  constructor() {
    this.fft.power(this.window, this.power[0]);
    this.windowAcf = this.fft.inverseEven(this.power[0], new Float64Array(FFT_SIZE)).slice();
  }

  track(samples: Float32Array): PitchTrack {
    const count = samples.length < PITCH_FRAME_SAMPLES ? 0 : 1 + Math.floor((samples.length - PITCH_FRAME_SAMPLES) / HOP_SAMPLES);
    const track: PitchTrack = { count, f0Hz: new Float32Array(count), voicing: new Float32Array(count) };
    // Indices of the non-silent frames waiting in this.frame, analysed two at a time.
    const pending: number[] = [];
    for (let i = 0; i < count; i++) {
      const frame = this.frame[pending.length as 0 | 1];
      const source = samples.subarray(i * HOP_SAMPLES, i * HOP_SAMPLES + PITCH_FRAME_SAMPLES);
      let mean = 0;
      for (let n = 0; n < source.length; n++) mean += source[n]!;
      mean /= source.length;
      let energy = 0;
      for (let n = 0; n < source.length; n++) {
        frame[n] = source[n]! - mean;
        energy += frame[n]! * frame[n]!;
      }
      if (Math.sqrt(energy / source.length) < SILENCE_RMS) continue;
      pending.push(i);
      if (pending.length === 2) {
        this.fft.powerPair(this.frame[0], this.frame[1], this.power[0], this.power[1], this.window);
        this.fft.inverseEvenPair(this.power[0], this.power[1], this.acf[0], this.acf[1]);
        this.readPeak(this.acf[0], pending[0]!, track);
        this.readPeak(this.acf[1], pending[1]!, track);
        pending.length = 0;
      }
    }
    if (pending.length === 1) {
      this.fft.power(this.frame[0], this.power[0], this.window);
      this.readPeak(this.fft.inverseEven(this.power[0], this.acf[0]), pending[0]!, track);
    }
    return track;
  }

  /** F0 and voicing of frame `i` from its autocorrelation `acf`. */
  private readPeak(acf: Float64Array, i: number, track: PitchTrack): void {
    const zero = acf[0]!;
    if (zero <= 0) return;
    const r = this.normalised;
    for (let lag = this.minLag - 1; lag <= this.maxLag + 1; lag++) r[lag] = acf[lag]! / zero / (this.windowAcf[lag]! / this.windowAcf[0]!);
    // The first peak within OCTAVE_TOLERANCE of the best one.
    let best = 0;
    for (let lag = this.minLag; lag <= this.maxLag; lag++) if (r[lag]! > r[lag - 1]! && r[lag]! >= r[lag + 1]!) best = Math.max(best, r[lag]!);
    let lag = this.minLag;
    while (lag <= this.maxLag && !(r[lag]! > r[lag - 1]! && r[lag]! >= r[lag + 1]! && r[lag]! >= OCTAVE_TOLERANCE * best)) lag++;
    if (lag > this.maxLag) return;
    const peak = r[lag]!;
    // Parabolic interpolation of the peak's position between lags.
    const a = r[lag - 1]!, c = r[lag + 1]!;
    const denominator = a - 2 * peak + c;
    const offset = denominator === 0 ? 0 : Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denominator));
    track.voicing[i] = Math.min(1, Math.max(0, peak));
    if (peak >= VOICED_CORRELATION) track.f0Hz[i] = AUDIO_SAMPLE_RATE / (lag + offset);
  }
}
