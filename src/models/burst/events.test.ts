// Burst events in time from family scores: hysteresis, the span each patch stands for, merging across
// families, peaks kept per family.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUDIO_SAMPLE_RATE } from "../../media/types.js";
import { detectEvents } from "./events.js";
import { BURST_FAMILIES, FAMILY_SPECS, familyClassIndices, familyScores, type BurstFamily } from "./families.js";
import { patchOffsets, PATCH_HOP_SAMPLES, PATCH_SAMPLES } from "./yamnet.js";

const F = BURST_FAMILIES.length;

/** Family scores for `patches` patches, all 0 but the given ones: [patch, family, score]. */
function scores(patches: number, set: [number, BurstFamily, number][]): Float32Array {
  const out = new Float32Array(patches * F);
  for (const [p, family, score] of set) out[p * F + BURST_FAMILIES.indexOf(family)] = score;
  return out;
}

const seconds = (n: number) => n * AUDIO_SAMPLE_RATE;

describe("patch offsets", () => {
  it("cover the audio every hop, the last flush with the end; short audio is one patch", () => {
    assert.deepEqual(patchOffsets(1000), [0]);
    assert.deepEqual(patchOffsets(PATCH_SAMPLES), [0]);
    const offsets = patchOffsets(seconds(5));
    assert.equal(offsets[1], PATCH_HOP_SAMPLES);
    assert.equal(offsets.at(-1), seconds(5) - PATCH_SAMPLES);
  });
});

describe("detectEvents", () => {
  const length = seconds(5);
  const offsets = patchOffsets(length);

  it("finds nothing when no family reaches its start threshold", () => {
    assert.deepEqual(detectEvents(scores(offsets.length, [[3, "laugh", FAMILY_SPECS.laugh.on - 0.01]]), offsets, length), []);
  });

  it("starts at the on threshold and continues down to the off threshold (hysteresis)", () => {
    const { on, off } = FAMILY_SPECS.laugh;
    const events = detectEvents(scores(offsets.length, [[2, "laugh", on], [3, "laugh", off], [4, "laugh", off - 0.01], [5, "laugh", off]]), offsets, length);
    assert.equal(events.length, 1);
    const [event] = events;
    // Patches 2 and 3: each stands for the hop around its centre.
    assert.ok(Math.abs(event!.begin - (offsets[2]! + PATCH_SAMPLES / 2 - PATCH_HOP_SAMPLES / 2) / AUDIO_SAMPLE_RATE) < 1e-9);
    assert.ok(Math.abs(event!.end - (offsets[3]! + PATCH_SAMPLES / 2 + PATCH_HOP_SAMPLES / 2) / AUDIO_SAMPLE_RATE) < 1e-9);
    assert.ok(Math.abs(event!.peaks[BURST_FAMILIES.indexOf("laugh")]! - on) < 1e-6);
  });

  it("merges touching spans of different families into one event that keeps each family's peak", () => {
    const events = detectEvents(scores(offsets.length, [[1, "gasp", 0.5], [2, "scream", 0.9], [2, "gasp", 0.1]]), offsets, length);
    assert.equal(events.length, 1);
    assert.ok(Math.abs(events[0]!.peaks[BURST_FAMILIES.indexOf("scream")]! - 0.9) < 1e-6);
    // The gasp's 0.1 at patch 2 is below its off threshold: only its active peak counts.
    assert.ok(Math.abs(events[0]!.peaks[BURST_FAMILIES.indexOf("gasp")]! - 0.5) < 1e-6);
    assert.equal(events[0]!.peaks[BURST_FAMILIES.indexOf("laugh")], 0);
  });

  it("separates bursts with an inactive patch between them; the first and last reach the ends", () => {
    const last = offsets.length - 1;
    const events = detectEvents(scores(offsets.length, [[0, "cough", 0.8], [last, "sneeze", 0.8]]), offsets, length);
    assert.equal(events.length, 2);
    assert.equal(events[0]!.begin, 0);
    assert.equal(events[1]!.end, length / AUDIO_SAMPLE_RATE);
  });

  it("clips a short payload's single patch to its own length", () => {
    const short = seconds(0.5);
    const [event] = detectEvents(scores(1, [[0, "laugh", 0.9]]), patchOffsets(short), short);
    assert.deepEqual([event!.begin, event!.end], [0, 0.5]);
  });
});

describe("families", () => {
  it("take their strongest class's score in each patch", () => {
    const names = ["Speech", "Laughter", "Giggle", "Crying, sobbing", "Baby cry, infant cry", "Whimper", "Screaming", "Wail, moan", "Sigh", "Groan", "Grunt", "Gasp", "Pant", "Wheeze", "Cough", "Throat clearing", "Sneeze", "Sniff", "Baby laughter", "Snicker", "Belly laugh", "Chuckle, chortle"];
    const indices = familyClassIndices(names);
    const patch = new Float32Array(names.length);
    patch[names.indexOf("Giggle")] = 0.7;
    patch[names.indexOf("Laughter")] = 0.2;
    patch[names.indexOf("Speech")] = 0.9;
    const families = familyScores(patch, names.length, indices);
    assert.ok(Math.abs(families[BURST_FAMILIES.indexOf("laugh")]! - 0.7) < 1e-6);
    assert.equal(families[BURST_FAMILIES.indexOf("cry")], 0);
  });

  it("name only classes YAMNet has", () => {
    assert.throws(() => familyClassIndices(["Speech"]), /YAMNet has no class 'Laughter'/);
  });

  it("start above where they stop", () => {
    for (const family of BURST_FAMILIES) assert.ok(FAMILY_SPECS[family].off < FAMILY_SPECS[family].on, family);
  });
});
