// Per-frame descriptors of one speech segment, the sequence a frame-level network reads: the log-mel
// bands less the segment's mean level (so a louder microphone or a peak-normalised file changes
// nothing), F0 in semitones where voiced, the voiced flag and the periodicity.

import { framesIn, semitones } from "./functionals.js";
import type { PitchTrack } from "./pitch.js";
import type { SampleRange } from "./segments.js";
import { FRAME_SAMPLES, MEL_BANDS, type SpectralFrames } from "./spectral.js";

/** Values per frame: MEL_BANDS level-relative log-mel bands, then F0, voiced and voicing. */
export const FRAME_DESCRIPTORS = MEL_BANDS + 3;
export const F0_DESCRIPTOR = MEL_BANDS;
export const VOICED_DESCRIPTOR = MEL_BANDS + 1;

/** frames × FRAME_DESCRIPTORS, row-major; a spectral frame pairs with the pitch frame of the same index. */
export function segmentFrames(spectral: SpectralFrames, pitch: PitchTrack, range: SampleRange): Float32Array {
  const [first, last] = framesIn(range, FRAME_SAMPLES, spectral.count);
  const frames = last - first + 1;
  const out = new Float32Array(frames * FRAME_DESCRIPTORS);
  let level = 0;
  for (let i = first * MEL_BANDS; i < (last + 1) * MEL_BANDS; i++) level += spectral.logMel[i]!;
  level /= Math.max(1, frames * MEL_BANDS);
  for (let k = 0; k < frames; k++) {
    const frame = first + k, row = k * FRAME_DESCRIPTORS;
    for (let band = 0; band < MEL_BANDS; band++) out[row + band] = spectral.logMel[frame * MEL_BANDS + band]! - level;
    const hz = frame < pitch.count ? pitch.f0Hz[frame]! : 0;
    out[row + F0_DESCRIPTOR] = hz > 0 ? semitones(hz) : 0;
    out[row + VOICED_DESCRIPTOR] = hz > 0 ? 1 : 0;
    out[row + VOICED_DESCRIPTOR + 1] = frame < pitch.count ? pitch.voicing[frame]! : 0;
  }
  return out;
}
