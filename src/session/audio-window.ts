// The per-connection audio sliding window on the stream timeline (spec §2 stream_window_ms, §3.6).
// Time is seconds of audio received since the connection started; `reset` empties the window but
// keeps the timeline running, so times stay monotonic for clients that merge replies.

import { AUDIO_SAMPLE_RATE } from "../media/types.js";
import { STREAM_WINDOW_MS } from "../protocol/index.js";
import type { AudioWindowView } from "./types.js";

const MAX_WINDOW_SAMPLES = Math.ceil((STREAM_WINDOW_MS.max / 1000) * AUDIO_SAMPLE_RATE);

export class AudioWindow {
  /** Retained samples, at most the largest window; the last sample ends at `streamEnd`. */
  private buffer = new Float32Array(0);
  /** Stream time, in samples, just after the last received sample. */
  private streamEnd = 0;

  /** Appends a payload's audio and returns the last `windowMs` of context. */
  append(samples: Float32Array, windowMs: number): AudioWindowView {
    const keep = Math.min(MAX_WINDOW_SAMPLES, this.buffer.length + samples.length);
    const next = new Float32Array(keep);
    const fromOld = keep - samples.length;
    if (fromOld > 0) next.set(this.buffer.subarray(this.buffer.length - fromOld), 0);
    next.set(fromOld >= 0 ? samples : samples.subarray(-keep), Math.max(0, fromOld));
    this.buffer = next;
    this.streamEnd += samples.length;
    const windowSamples = Math.min(this.buffer.length, Math.max(samples.length, Math.round((windowMs / 1000) * AUDIO_SAMPLE_RATE)));
    return {
      samples: this.buffer.subarray(this.buffer.length - windowSamples),
      startTime: (this.streamEnd - windowSamples) / AUDIO_SAMPLE_RATE,
    };
  }

  /** Drops past context (reset_stream); the timeline keeps running. */
  reset(): void {
    this.buffer = new Float32Array(0);
  }

  /** Seconds of audio received since the stream started. */
  get streamSeconds(): number {
    return this.streamEnd / AUDIO_SAMPLE_RATE;
  }
}
