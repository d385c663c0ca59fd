// Burst events in time from per-patch family scores: hysteresis per family (start at `on`, continue
// while at least `off`), each patch owning the stretch around its centre (one hop wide; the first and
// last reach the ends of the audio), and overlapping or touching spans of any family merged into one
// event. An event keeps each family's peak over the patches where that family was active.

import { AUDIO_SAMPLE_RATE } from "../../media/types.js";
import { BURST_FAMILIES, FAMILY_SPECS } from "./families.js";
import { PATCH_HOP_SAMPLES, PATCH_SAMPLES } from "./yamnet.js";

export interface BurstEvent {
  /** Seconds from the start of the audio. */
  begin: number;
  end: number;
  /** Per family (BURST_FAMILIES order), its peak score where it was active; 0 where it was not. */
  peaks: Float32Array;
}

/** The stretch of audio (samples) that patch `i` stands for. */
function ownedSpan(offsets: readonly number[], i: number, length: number): [number, number] {
  const centre = offsets[i]! + PATCH_SAMPLES / 2;
  const begin = i === 0 ? 0 : Math.max(0, centre - PATCH_HOP_SAMPLES / 2);
  const end = i === offsets.length - 1 ? length : Math.min(length, centre + PATCH_HOP_SAMPLES / 2);
  return [begin, Math.max(begin, end)];
}

/** Which patches each family is active in (hysteresis over consecutive patches). */
function activePatches(scores: Float32Array, patches: number): boolean[][] {
  const families = BURST_FAMILIES.length;
  return BURST_FAMILIES.map((family, f) => {
    const { on, off } = FAMILY_SPECS[family];
    const active: boolean[] = [];
    let inside = false;
    for (let p = 0; p < patches; p++) {
      const score = scores[p * families + f]!;
      inside = inside ? score >= off : score >= on;
      active.push(inside);
    }
    return active;
  });
}

export function detectEvents(scores: Float32Array, offsets: readonly number[], length: number): BurstEvent[] {
  const families = BURST_FAMILIES.length;
  const active = activePatches(scores, offsets.length);
  const events: BurstEvent[] = [];
  let current: { begin: number; end: number; peaks: Float32Array } | undefined;
  for (let p = 0; p < offsets.length; p++) {
    const on = active.map((a) => a[p]!);
    if (!on.some(Boolean)) {
      current = undefined;
      continue;
    }
    const [begin, end] = ownedSpan(offsets, p, Math.max(length, 1));
    if (current === undefined) {
      current = { begin, end, peaks: new Float32Array(families) };
      events.push(current);
    }
    current.end = end;
    on.forEach((isOn, f) => {
      if (isOn) current!.peaks[f] = Math.max(current!.peaks[f]!, scores[p * families + f]!);
    });
  }
  return events.map((event) => ({ begin: event.begin / AUDIO_SAMPLE_RATE, end: event.end / AUDIO_SAMPLE_RATE, peaks: event.peaks }));
}
