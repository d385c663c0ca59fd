// The audio front end: FFT, frame descriptors, pitch, segmentation and functionals on signals whose
// answers are known, then the whole pass (Silero VAD from npm) on generated and shared speech.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { decodeAudio } from "../../media/audio.js";
import { sharedDirectory } from "../../runtime/paths.js";
import { mulberry32 } from "../../../tests/support/rng.js";
import { ffmpegAvailable } from "../../../tests/support/media.js";
import { RealFft } from "./fft.js";
import { F0_DESCRIPTOR, FRAME_DESCRIPTORS, segmentFrames, VOICED_DESCRIPTOR } from "./frames.js";
import { FEATURE_NAMES, segmentFunctionals } from "./functionals.js";
import { AudioFrontEnd } from "./index.js";
import { PitchTracker } from "./pitch.js";
import { DEFAULT_SEGMENT_OPTIONS, speechSegments } from "./segments.js";
import { SpectralAnalyser } from "./spectral.js";
import { SpeechDetector, VAD_CHUNK_SAMPLES, type VadProgress } from "./vad.js";

const RATE = 16000;

/** `seconds` of a sum of harmonics of `hz` (amplitudes amplitude/h), the audio of a voiced vowel in its simplest form. */
function harmonic(hz: number, seconds: number, amplitude = 0.3, harmonics = 5): Float32Array {
  const samples = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < samples.length; i++) {
    for (let h = 1; h <= harmonics; h++) samples[i] = samples[i]! + (amplitude / h) * Math.sin((2 * Math.PI * hz * h * i) / RATE);
  }
  return samples;
}

function noise(seconds: number, amplitude: number, seed = 1): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: Math.round(seconds * RATE) }, () => (rng() * 2 - 1) * amplitude);
}

const at = (features: Float32Array, name: string): number => features[FEATURE_NAMES.indexOf(name)]!;

describe("audio front end", () => {
  it("the FFT's power spectrum matches a direct DFT", () => {
    const rng = mulberry32(7);
    const input = Float32Array.from({ length: 64 }, () => rng() - 0.5);
    const power = new RealFft(64).power(input, new Float32Array(33));
    for (const k of [0, 1, 5, 17, 32]) {
      let re = 0, im = 0;
      for (let n = 0; n < 64; n++) {
        re += input[n]! * Math.cos((2 * Math.PI * k * n) / 64);
        im -= input[n]! * Math.sin((2 * Math.PI * k * n) / 64);
      }
      assert.ok(Math.abs(power[k]! - (re * re + im * im)) < 1e-4, `bin ${k}`);
    }
    assert.throws(() => new RealFft(100), RangeError);
  });

  it("two frames through one transform: the same spectra and autocorrelations as one at a time", () => {
    const rng = mulberry32(11);
    const fft = new RealFft(64);
    const a = Float32Array.from({ length: 50 }, () => rng() - 0.5), b = Float32Array.from({ length: 64 }, () => rng() - 0.5);
    const window = Float32Array.from({ length: 64 }, () => rng());
    const [pa, pb] = [new Float32Array(33), new Float32Array(33)];
    fft.powerPair(a, b, pa, pb, window);
    const [alone, blank] = [fft.power(a, new Float32Array(33), window), fft.power(new Float32Array(64), new Float32Array(33), window)];
    alone.forEach((v, k) => assert.ok(Math.abs(pa[k]! - v) < 1e-5 * Math.max(1, v), `a bin ${k}`));
    fft.power(b, blank, window).forEach((v, k) => assert.ok(Math.abs(pb[k]! - v) < 1e-5 * Math.max(1, v), `b bin ${k}`));
    const [ra, rb] = [new Float64Array(64), new Float64Array(64)];
    fft.inverseEvenPair(pa, pb, ra, rb);
    const [ea, eb] = [fft.inverseEven(pa, new Float64Array(64)), fft.inverseEven(pb, new Float64Array(64))];
    for (let i = 0; i < 64; i++) assert.ok(Math.abs(ra[i]! - ea[i]!) < 1e-9 && Math.abs(rb[i]! - eb[i]!) < 1e-9, `lag ${i}`);
  });

  it("frame descriptors: a full-scale sine is 0 dB with its centroid at its frequency; noise is flat", () => {
    const analyser = new SpectralAnalyser();
    const sine = Float32Array.from({ length: RATE }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / RATE));
    const frames = analyser.analyse(sine);
    assert.equal(frames.count, 1 + Math.floor((RATE - 400) / 160));
    const middle = Math.floor(frames.count / 2);
    assert.ok(Math.abs(frames.energyDb[middle]!) < 0.5, `energy ${frames.energyDb[middle]}`);
    assert.ok(Math.abs(frames.centroidHz[middle]! - 1000) < 60, `centroid ${frames.centroidHz[middle]}`);
    assert.ok(frames.flatness[middle]! < 0.05);
    const white = analyser.analyse(noise(1, 0.5));
    assert.ok(white.flatness[middle]! > 0.4, `noise flatness ${white.flatness[middle]}`);
    const low = analyser.analyse(harmonic(300, 0.5, 0.3, 1)).alphaRatioDb[10]!;
    const high = analyser.analyse(harmonic(3000, 0.5, 0.3, 1)).alphaRatioDb[10]!;
    assert.ok(low > 20 && high < -20, `alpha ratio ${low} / ${high}`);
    assert.equal(analyser.analyse(new Float32Array(100)).count, 0);
  });

  it("pitch: harmonic tones within 1 %, silence and noise unvoiced", () => {
    const tracker = new PitchTracker();
    for (const hz of [90, 150, 220, 400]) {
      const track = tracker.track(harmonic(hz, 0.5));
      const voiced = Array.from(track.f0Hz).filter((f) => f > 0);
      assert.equal(voiced.length, track.count, `${hz} Hz: every frame voiced`);
      for (const f of voiced) assert.ok(Math.abs(f - hz) / hz < 0.01, `${hz} Hz read as ${f}`);
    }
    assert.ok(tracker.track(new Float32Array(RATE)).f0Hz.every((f) => f === 0));
    const noisy = tracker.track(noise(1, 0.3));
    assert.ok(noisy.f0Hz.filter((f) => f > 0).length < noisy.count * 0.1);
  });

  it("segments: hysteresis, short pauses kept inside, blips dropped, silence gated, long ones split", () => {
    const chunkMs = (VAD_CHUNK_SAMPLES / RATE) * 1000;
    const run = (pattern: [number, number][]): Float32Array => Float32Array.from(pattern.flatMap(([p, ms]) => Array(Math.round(ms / chunkMs)).fill(p)));
    // Speech chunks (p ≥ 0.35) at RMS 0.1, the rest 26 dB quieter.
    const loud = (probabilities: Float32Array): Float32Array =>
      Float32Array.from({ length: probabilities.length * VAD_CHUNK_SAMPLES }, (_, i) => (probabilities[Math.floor(i / VAD_CHUNK_SAMPLES)]! >= 0.35 ? 0.1 : 0.005));
    const seconds = (p: Float32Array, s: Float32Array = loud(p)) =>
      speechSegments(s, p).map(({ start, end }) => [Math.round((start / RATE) * 10) / 10, Math.round((end / RATE) * 10) / 10]);
    // 160 ms below `offset` inside speech: one utterance; 0.4 dips stay inside too (hysteresis).
    assert.deepEqual(seconds(run([[0, 320], [0.9, 960], [0.1, 160], [0.4, 320], [0.9, 960], [0, 640]])).length, 1);
    // A 640 ms pause splits it.
    const paused = run([[0, 320], [0.9, 960], [0.1, 640], [0.9, 960], [0, 640]]);
    assert.equal(seconds(paused).length, 2);
    // The same 640 ms as loud as the speech (the VAD wavering on shouted speech) does not.
    assert.equal(seconds(paused, new Float32Array(paused.length * VAD_CHUNK_SAMPLES).fill(0.1)).length, 1);
    // A 96 ms blip is no speech.
    assert.equal(seconds(run([[0, 320], [0.9, 96], [0, 640]])).length, 0);
    // Confident VAD on near-silence (-80 dBFS) is no speech; on quiet speech (-60 dBFS) it is.
    const probabilities = run([[0.9, 1920]]);
    const level = (rms: number) => new Float32Array(probabilities.length * VAD_CHUNK_SAMPLES).fill(rms);
    assert.equal(seconds(probabilities, level(0.0001)).length, 0);
    assert.equal(seconds(probabilities, level(0.001)).length, 1);
    // A confident stretch 46 dB below the utterance (a breath, the room's tail) ends it; one 20 dB below does not.
    const tail = run([[0, 320], [0.9, 1920], [0, 640]]);
    const loudUntil = ((320 + 960) / chunkMs) * VAD_CHUNK_SAMPLES;
    const withTail = (rms: number) => Float32Array.from({ length: tail.length * VAD_CHUNK_SAMPLES }, (_, i) => (i < loudUntil ? 0.1 : rms));
    assert.deepEqual(seconds(tail, withTail(0.0005))[0], [0.3, 1.3]);
    assert.deepEqual(seconds(tail, withTail(0.01))[0], [0.3, 2.3]);
    // 9.6 s of speech: three pieces of at most 4 s, contiguous.
    const long = seconds(run([[0.9, 9600]]));
    assert.equal(long.length, 3);
    for (const [begin, end] of long) assert.ok(end! - begin! <= DEFAULT_SEGMENT_OPTIONS.maxSegmentMs / 1000 + 0.05);
  });

  it("frames: one row per STFT frame in the segment, F0 where voiced, loudness alone moves nothing", () => {
    const analyser = new SpectralAnalyser();
    const tracker = new PitchTracker();
    const framesOf = (samples: Float32Array) => segmentFrames(analyser.analyse(samples), tracker.track(samples), { start: 1600, end: samples.length });
    const floor = noise(1, 1e-4);
    const voice = harmonic(200, 1, 0.1).map((v, i) => v + floor[i]!);
    const quieter = framesOf(voice), louder = framesOf(voice.map((v) => v * 4));
    assert.equal(quieter.length / FRAME_DESCRIPTORS, 1 + Math.floor((RATE - 1600 - 400) / 160));
    const middle = Math.floor(quieter.length / FRAME_DESCRIPTORS / 2) * FRAME_DESCRIPTORS;
    assert.equal(quieter[middle + VOICED_DESCRIPTOR], 1);
    assert.ok(Math.abs(quieter[middle + F0_DESCRIPTOR]! - 12 * Math.log2(2)) < 0.2, `F0 ${quieter[middle + F0_DESCRIPTOR]} st`);
    quieter.forEach((v, i) => assert.ok(Math.abs(louder[i]! - v) < 1e-2 * Math.max(1, Math.abs(v)), `value ${i}: ${v} → ${louder[i]}`));
  });

  it("a stream's VAD carried from payload to payload reads each chunk once and matches one pass over the whole stream", async () => {
    const detector = await SpeechDetector.load(1);
    const floor = noise(8, 0.01, 3);
    const stream = Float32Array.from({ length: 8 * RATE }, (_, i) => floor[i]! + (Math.floor(i / RATE) % 3 === 1 ? 0.3 * Math.sin((2 * Math.PI * 180 * i) / RATE) : 0));
    const whole = await detector.speechProbabilities(stream);
    const windowSamples = 5 * RATE;
    let progress: VadProgress | undefined;
    let offset = 0, start = 0;
    let probabilities: Float32Array = new Float32Array(0);
    for (let end = RATE; end <= stream.length; end += RATE) {
      start = Math.max(0, end - windowSamples);
      ({ offset, probabilities, progress } = await detector.streamWindow(stream.subarray(start, end), start, progress));
      // Whole chunks only, inside the window: a partial last chunk waits for the next payload.
      assert.ok(offset >= 0 && offset < VAD_CHUNK_SAMPLES && offset + probabilities.length * VAD_CHUNK_SAMPLES <= end - start);
    }
    const first = (start + offset) / VAD_CHUNK_SAMPLES;
    assert.ok(Number.isInteger(first) && probabilities.length >= 150);
    probabilities.forEach((p, c) => assert.ok(Math.abs(p - whole[first + c]!) < 1e-6, `chunk ${first + c}: ${p} vs ${whole[first + c]}`));
    // A window reaching back past what the progress covers starts afresh at the window.
    const fresh = await detector.streamWindow(stream.subarray(0, 2 * RATE), 0, progress);
    assert.equal(fresh.offset, 0);
    assert.equal(fresh.probabilities.length, Math.floor((2 * RATE) / VAD_CHUNK_SAMPLES));
  });

  it("functionals: one finite value per name; pitch moves its features, loudness alone moves none", () => {
    const analyser = new SpectralAnalyser();
    const tracker = new PitchTracker();
    const features = (samples: Float32Array) => segmentFunctionals(analyser.analyse(samples), tracker.track(samples), { start: 0, end: samples.length });
    const base = features(harmonic(120, 1, 0.1));
    assert.equal(base.length, FEATURE_NAMES.length);
    assert.ok(base.every(Number.isFinite));
    assert.ok(at(features(harmonic(240, 1, 0.1)), "f0_mean_st") - at(base, "f0_mean_st") > 11.5);
    // Loudness alone moves nothing: the features are level-invariant (a faint noise floor keeps every
    // band above the log floor, as in any recording).
    const floor = noise(1, 0.001);
    const voice = harmonic(120, 1, 0.1).map((v, i) => v + floor[i]!);
    const louder = features(voice.map((v) => v * 4));
    const quieter = features(voice);
    FEATURE_NAMES.forEach((name, i) => assert.ok(Math.abs(louder[i]! - quieter[i]!) < 1e-2 * Math.max(1, Math.abs(quieter[i]!)), `${name}: ${quieter[i]} → ${louder[i]}`));
    assert.ok(at(base, "voiced_fraction") > 0.9);
    assert.ok(segmentFunctionals(analyser.analyse(new Float32Array(0)), tracker.track(new Float32Array(0)), { start: 0, end: 0 }).every(Number.isFinite));
  });

  it("the whole pass finds no speech in silence, a tone or faint noise", async () => {
    const frontEnd = await AudioFrontEnd.load(1);
    for (const samples of [new Float32Array(2 * RATE), harmonic(440, 2, 0.3, 1), noise(2, 0.001)]) {
      assert.deepEqual((await frontEnd.analyse(samples)).segments, []);
    }
  });

  const shared = `${sharedDirectory()}samples/audio/concat_speech_silence_speech.wav`;
  const skip = !existsSync(shared) ? `shared samples absent (${shared}; set MOODWIRE_SHARED)` : !ffmpegAvailable() ? "ffmpeg is not installed" : false;
  it("speech, 2.4 s of silence, speech: segments on both sides of the silence, none inside it", { skip }, async () => {
    const { samples } = await decodeAudio(readFileSync(shared), {});
    const frontEnd = await AudioFrontEnd.load(1);
    const { segments } = await frontEnd.analyse(samples);
    assert.ok(segments.length >= 2);
    const gaps = segments.slice(1).map((s, i) => s.begin - segments[i]!.end);
    assert.ok(Math.max(...gaps) > 2, `gaps ${gaps.join(", ")}`);
    for (const s of segments) assert.ok(at(s.features, "voiced_fraction") > 0.3);
  });
});
