// What crosses between the prosody model (main thread) and its kernel (a worker thread).

import type { VadProgress } from "../audio-features/index.js";
import type { StreamNormalisation } from "./statistics.js";

export interface ProsodyKernelInput {
  /** The stream's audio window, 16 kHz mono. */
  samples: Float32Array;
  /** Stream sample where the window starts. */
  start: number;
  /** Where the stream's VAD stopped at the previous payload (none: start afresh at the window). */
  vad?: VadProgress;
  /** The normalisation for this stream now (its running statistics blended with the prior). */
  normalisation: StreamNormalisation;
}

export interface ProsodySegment {
  /** Seconds from the start of the window. */
  begin: number;
  end: number;
  /** The segment's raw functionals (FEATURE_NAMES order) and frames, for the stream's running statistics. */
  features: Float32Array;
  frames: Float32Array;
  /** The 48 expressions, EXPRESSION_LABELS order. */
  expressions: Float32Array;
}

export interface ProsodyKernelOutput {
  segments: ProsodySegment[];
  /** The VAD's progress after this window, for the next payload. */
  vad: VadProgress;
}
