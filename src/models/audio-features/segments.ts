// Speech segments from per-chunk VAD probabilities: hysteresis (start at `onset`, end only after
// `minPauseMs` below `offset`), an energy gate (near-silent chunks, and inside a segment chunks far below its
// loudest, are never speech, whatever the VAD says), short blips dropped, a little padding, and long segments
// split into utterance-sized pieces.

import { AUDIO_SAMPLE_RATE } from "../../media/types.js";
import { VAD_CHUNK_SAMPLES } from "./vad.js";

export interface SegmentOptions {
  /** Probability that starts speech. */
  onset: number;
  /** Probability under which speech may end. */
  offset: number;
  /**
   * A chunk this probable still continues a segment when it is within `sustainDb` of the segment's
   * loudest chunk: the VAD wavers on shouted and strained speech (RAVDESS's strong angry, fearful and
   * happy takes drop to 0.05–0.3 after their first syllable) while its loudness shows it goes on.
   */
  sustain: number;
  sustainDb: number;
  /** Pauses shorter than this do not split an utterance. */
  minPauseMs: number;
  /** Segments shorter than this are dropped. */
  minSpeechMs: number;
  /** Padding added on each side (clamped to the clip). */
  padMs: number;
  /** Longer segments are split into equal pieces no longer than this. */
  maxSegmentMs: number;
  /**
   * Chunks quieter than this RMS (full scale 1, here -70 dBFS) are not speech: near-digital silence. Quiet
   * takes (RAVDESS calm and sad, a low-gain microphone) speak at RMS 0.0005-0.002, where the VAD is sure.
   */
  minRms: number;
  /**
   * Inside a segment, a chunk this far below the segment's loudest is silence: a speaker's trailing breath
   * and room tail end the utterance at the same point whether the room's noise floor is at -50 dBFS or a
   * studio's -90, and whatever the microphone's gain.
   */
  silenceDb: number;
}

export const DEFAULT_SEGMENT_OPTIONS: Readonly<SegmentOptions> = {
  onset: 0.5,
  offset: 0.35,
  sustain: 0.05,
  sustainDb: 20,
  minPauseMs: 300,
  minSpeechMs: 250,
  padMs: 30,
  maxSegmentMs: 4000,
  minRms: 0.0003,
  silenceDb: 40,
};

/** A range of samples, [start, end). */
export interface SampleRange {
  start: number;
  end: number;
}

/** Root mean square level of `samples` (full scale 1); 0 when empty. */
export function rms(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

function chunkRms(samples: Float32Array, chunk: number): number {
  return rms(samples.subarray(chunk * VAD_CHUNK_SAMPLES, (chunk + 1) * VAD_CHUNK_SAMPLES));
}

const samplesOf = (ms: number): number => Math.round((ms / 1000) * AUDIO_SAMPLE_RATE);

export function speechSegments(samples: Float32Array, probabilities: Float32Array, options: SegmentOptions = DEFAULT_SEGMENT_OPTIONS): SampleRange[] {
  const raw: SampleRange[] = [];
  let start = -1;
  let quietSince = -1;
  let loudest = 0;
  const sustainRatio = 10 ** (-options.sustainDb / 20);
  const silenceRatio = 10 ** (-options.silenceDb / 20);
  for (let c = 0; c < probabilities.length; c++) {
    const level = chunkRms(samples, c);
    const p = level < options.minRms || (start >= 0 && level < loudest * silenceRatio) ? 0 : probabilities[c]!;
    if (start < 0) {
      if (p >= options.onset) [start, quietSince, loudest] = [c, -1, level];
      continue;
    }
    loudest = Math.max(loudest, level);
    if (p >= options.offset || (p >= options.sustain && level >= loudest * sustainRatio)) {
      quietSince = -1;
    } else if (quietSince < 0) {
      quietSince = c;
    } else if ((c - quietSince + 1) * VAD_CHUNK_SAMPLES >= samplesOf(options.minPauseMs)) {
      raw.push({ start: start * VAD_CHUNK_SAMPLES, end: quietSince * VAD_CHUNK_SAMPLES });
      [start, quietSince] = [-1, -1];
    }
  }
  if (start >= 0) raw.push({ start: start * VAD_CHUNK_SAMPLES, end: (quietSince >= 0 ? quietSince : probabilities.length) * VAD_CHUNK_SAMPLES });

  const pad = samplesOf(options.padMs);
  const maxLength = samplesOf(options.maxSegmentMs);
  const segments: SampleRange[] = [];
  for (const range of raw) {
    if (range.end - range.start < samplesOf(options.minSpeechMs)) continue;
    const padded = { start: Math.max(0, range.start - pad), end: Math.min(samples.length, range.end + pad) };
    const pieces = Math.ceil((padded.end - padded.start) / maxLength);
    const length = (padded.end - padded.start) / pieces;
    for (let i = 0; i < pieces; i++) {
      segments.push({ start: Math.round(padded.start + i * length), end: Math.round(padded.start + (i + 1) * length) });
    }
  }
  return segments;
}
