// The audio front end shared by the prosody and vocal-burst models: one pass over a window of 16 kHz
// mono audio gives the speech segments (Silero VAD, energy-gated), the frame descriptors (one STFT pass,
// one pitch track) and each segment's prosodic functionals. Runs inside a model's kernel.

import { AUDIO_SAMPLE_RATE } from "../../media/types.js";
import { segmentFrames } from "./frames.js";
import { segmentFunctionals } from "./functionals.js";
import { PitchTracker } from "./pitch.js";
import { DEFAULT_SEGMENT_OPTIONS, speechSegments, type SampleRange, type SegmentOptions } from "./segments.js";
import { SpectralAnalyser } from "./spectral.js";
import { SpeechDetector, VAD_CHUNK_SAMPLES, type VadProgress } from "./vad.js";

export { FEATURE_NAMES } from "./functionals.js";
export { F0_DESCRIPTOR, FRAME_DESCRIPTORS, VOICED_DESCRIPTOR } from "./frames.js";
export { rms } from "./segments.js";
export { MEL_BANDS } from "./spectral.js";
export type { SampleRange, SegmentOptions } from "./segments.js";
export type { VadProgress } from "./vad.js";

export interface AnalysedSegment {
  /** Seconds from the start of the analysed samples. */
  begin: number;
  end: number;
  /** FEATURE_NAMES values. */
  features: Float32Array;
  /** frames × FRAME_DESCRIPTORS per-frame descriptors (frames.ts). */
  frames: Float32Array;
}

export interface AudioAnalysis {
  segments: AnalysedSegment[];
}

export class AudioFrontEnd {
  private readonly spectral = new SpectralAnalyser();
  private readonly pitch = new PitchTracker();

  private constructor(private readonly detector: SpeechDetector) {}

  static async load(intraOpThreads: number): Promise<AudioFrontEnd> {
    return new AudioFrontEnd(await SpeechDetector.load(intraOpThreads));
  }

  /** One clip, the VAD from a fresh state. */
  async analyse(samples: Float32Array, options: SegmentOptions = DEFAULT_SEGMENT_OPTIONS): Promise<AudioAnalysis> {
    return this.describe(samples, 0, await this.detector.speechProbabilities(samples), options);
  }

  /**
   * A stream's window (starting at stream sample `start`): the VAD carries on from `progress` (the
   * previous payload's), reading only the new audio; segments come from the window's whole chunks.
   */
  async analyseStream(samples: Float32Array, start: number, progress: VadProgress | undefined): Promise<AudioAnalysis & { progress: VadProgress }> {
    const speech = await this.detector.streamWindow(samples, start, progress);
    return { ...this.describe(samples, speech.offset, speech.probabilities, DEFAULT_SEGMENT_OPTIONS), progress: speech.progress };
  }

  /** The speech segments of `samples`, whose VAD chunks start `offset` samples in, with their functionals and frames. */
  private describe(samples: Float32Array, offset: number, speech: Float32Array, options: SegmentOptions): AudioAnalysis {
    const spectral = this.spectral.analyse(samples);
    const pitch = this.pitch.track(samples);
    const voiced = samples.subarray(offset, Math.min(samples.length, offset + speech.length * VAD_CHUNK_SAMPLES));
    const segments = speechSegments(voiced, speech, options).map(({ start, end }): AnalysedSegment => {
      const range: SampleRange = { start: start + offset, end: end + offset };
      return {
        begin: range.start / AUDIO_SAMPLE_RATE,
        end: range.end / AUDIO_SAMPLE_RATE,
        features: segmentFunctionals(spectral, pitch, range),
        frames: segmentFrames(spectral, pitch, range),
      };
    });
    return { segments };
  }
}
