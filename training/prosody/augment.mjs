// Audio-level augmentations for the prosody training data (never for evaluation clips): each variant
// turns a corpus clip into another plausible recording of the same take, so the classifier sees other
// voices and noisier microphones than the corpora's studio recordings. A variant's settings are drawn
// once per speaker, so each speaker's copy is a consistent new voice: the classifier reads a take
// against the speaker's other takes (speaker normalisation), and a speed or pitch drawn per take would
// be an arousal cue that means nothing. Draws are seeded (speaker, then take for the noise itself), so
// an extraction is reproducible.
//   speed        Kaldi-style speed perturbation, ×0.9 or ×1.1 (tempo and pitch together)
//   pitch-noise  pitch shifted ±1-2 semitones at the same tempo (rubberband), then fan-like noise at 10-30 dB SNR
import { spawnSync } from "node:child_process";
import path from "node:path";
import { AUDIO_SAMPLE_RATE as RATE } from "../../dist/src/media/types.js";
import { rms } from "../../dist/src/models/audio-features/index.js";
import { VAD_CHUNK_SAMPLES } from "../../dist/src/models/audio-features/vad.js";

const PCM = ["-f", "f32le", "-ac", "1", "-ar", String(RATE)];

/** mulberry32: a small seeded generator, uniform in [0, 1). */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uniform = (random, low, high) => low + (high - low) * random();

function gaussian(random) {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function ffmpeg(args) {
  const result = spawnSync("ffmpeg", ["-hide_banner", "-loglevel", "error", ...args], { maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`ffmpeg ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

const samplesOf = (buffer) => new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4).slice();

/** RMS over the louder half of the VAD's 32 ms chunks: the speech level, whatever the silence around it. */
function speechLevel(samples) {
  const energies = [];
  for (let i = 0; i + VAD_CHUNK_SAMPLES <= samples.length; i += VAD_CHUNK_SAMPLES) energies.push(rms(samples.subarray(i, i + VAD_CHUNK_SAMPLES)) ** 2);
  energies.sort((a, b) => b - a);
  const louder = energies.slice(0, Math.max(1, Math.ceil(energies.length / 2)));
  return Math.sqrt(louder.reduce((a, b) => a + b, 0) / louder.length);
}

/** Gaussian noise through a one-pole low-pass (a fan or room hum's downward tilt) at `snrDb` below the speech. */
function addNoise(samples, snrDb, random) {
  const noise = new Float32Array(samples.length);
  let previous = 0;
  for (let i = 0; i < noise.length; i++) noise[i] = previous = 0.8 * previous + gaussian(random);
  const scale = (speechLevel(samples) * 10 ** (-snrDb / 20)) / Math.max(1e-12, speechLevel(noise));
  return samples.map((v, i) => v + scale * noise[i]);
}

// Each variant: (file, the speaker's draws, the take's draws) → samples.
const VARIANTS = {
  speed(file, random) {
    const factor = random() < 0.5 ? 0.9 : 1.1;
    return samplesOf(ffmpeg(["-i", file, "-af", `asetrate=${RATE * factor},aresample=${RATE}`, ...PCM, "-"]));
  },
  "pitch-noise"(file, random, take) {
    const semitones = (random() < 0.5 ? -1 : 1) * uniform(random, 1, 2);
    const shifted = samplesOf(ffmpeg(["-i", file, "-af", `aresample=${RATE},rubberband=pitch=${2 ** (semitones / 12)}`, ...PCM, "-"]));
    return addNoise(shifted, uniform(random, 10, 30), take);
  },
};

export const VARIANT_NAMES = Object.keys(VARIANTS);

function hash(text) {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

/** `file` (any format ffmpeg reads), spoken by `speaker`, as the variant's 16 kHz mono float32 samples. */
export function augmented(variant, file, speaker) {
  const make = VARIANTS[variant];
  if (make === undefined) throw new Error(`unknown variant '${variant}' (${VARIANT_NAMES.join(", ")})`);
  return make(file, generator(hash(`${variant}/${speaker}`)), generator(hash(`${variant}/${path.basename(file)}`)));
}
