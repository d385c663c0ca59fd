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
  private readonly power = new Float32Array(FFT_SIZE / 2 + 1);
  private readonly acf = new Float64Array(FFT_SIZE);
  private readonly frame = new Float32Array(PITCH_FRAME_SAMPLES);
  private readonly minLag = Math.floor(AUDIO_SAMPLE_RATE / MAX_HZ);
  private readonly maxLag = Math.ceil(AUDIO_SAMPLE_RATE / MIN_HZ);

  constructor() {
    this.fft.power(this.window, this.power);
    this.windowAcf = this.fft.inverseEven(this.power, new Float64Array(FFT_SIZE)).slice();
  }

  track(samples: Float32Array): PitchTrack {
    const count = samples.length < PITCH_FRAME_SAMPLES ? 0 : 1 + Math.floor((samples.length - PITCH_FRAME_SAMPLES) / HOP_SAMPLES);
    const f0Hz = new Float32Array(count);
    const voicing = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const source = samples.subarray(i * HOP_SAMPLES, i * HOP_SAMPLES + PITCH_FRAME_SAMPLES);
      let mean = 0;
      for (let n = 0; n < source.length; n++) mean += source[n]!;
      mean /= source.length;
      let energy = 0;
      for (let n = 0; n < source.length; n++) {
        this.frame[n] = source[n]! - mean;
        energy += this.frame[n]! * this.frame[n]!;
      }
      if (Math.sqrt(energy / source.length) < SILENCE_RMS) continue;
      this.fft.power(this.frame, this.power, this.window);
      const acf = this.fft.inverseEven(this.power, this.acf);
      const zero = acf[0]!;
      if (zero <= 0) continue;
      const r = (lag: number): number => acf[lag]! / zero / (this.windowAcf[lag]! / this.windowAcf[0]!);
      let best = 0;
      const peaks: [number, number][] = [];
      for (let lag = this.minLag; lag <= this.maxLag; lag++) {
        const v = r(lag);
        if (v > r(lag - 1) && v >= r(lag + 1)) {
          peaks.push([lag, v]);
          best = Math.max(best, v);
        }
      }
      const chosen = peaks.find(([, v]) => v >= OCTAVE_TOLERANCE * best);
      if (chosen === undefined) continue;
      const [lag, peak] = chosen;
      // Parabolic interpolation of the peak's position between lags.
      const a = r(lag - 1), c = r(lag + 1);
      const denominator = a - 2 * peak + c;
      const offset = denominator === 0 ? 0 : Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denominator));
      voicing[i] = Math.min(1, Math.max(0, peak));
      if (peak >= VOICED_CORRELATION) f0Hz[i] = AUDIO_SAMPLE_RATE / (lag + offset);
    }
    return { count, f0Hz, voicing };
  }
}
