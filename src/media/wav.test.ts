import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "../protocol/index.js";
import { decodeAudio } from "./audio.js";
import { MediaError } from "./errors.js";
import { makeWav, rejectsCode } from "../../tests/support/media.js";
import { decodeWav, parseWavHeader, resample } from "./wav.js";

function close(actual: number, expected: number, tolerance: number, what = ""): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} is not within ${tolerance} of ${expected}`);
}

/** Frequency estimate from rising zero crossings. */
function frequency(samples: Float32Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
  return (crossings * rate) / samples.length;
}

function peak(samples: Float32Array, from = 0, to = samples.length): number {
  let max = 0;
  for (let i = from; i < to; i++) max = Math.max(max, Math.abs(samples[i]!));
  return max;
}

describe("WAV fast path", () => {
  const ramp = (frame: number): number => (frame % 200) / 100 - 1; // -1 … 0.99

  for (const bits of [8, 16, 24, 32]) {
    it(`decodes ${bits}-bit integer PCM at 16 kHz exactly`, async () => {
      const wav = makeWav({ bits, rate: 16000, frames: 1600, value: ramp });
      const { samples } = await decodeAudio(wav, {});
      assert.equal(samples.length, 1600);
      const tolerance = bits === 8 ? 1 / 127 : 1e-4;
      for (const i of [0, 1, 57, 100, 150, 199, 1599]) close(samples[i]!, ramp(i), tolerance, `sample ${i}`);
    });
  }

  it("decodes 32-bit and 64-bit float, clamping out-of-range and NaN", () => {
    const values = [0.25, -0.5, 2, Number.NaN, -3];
    for (const bits of [32, 64]) {
      const wav = makeWav({ format: 3, bits, rate: 16000, frames: 5, value: () => 0 });
      const info = parseWavHeader(wav)!;
      values.forEach((v, i) => (bits === 32 ? wav.writeFloatLE(v, info.dataOffset + i * 4) : wav.writeDoubleLE(v, info.dataOffset + i * 8)));
      assert.deepEqual(Array.from(decodeWav(wav, undefined)!), [0.25, -0.5, 1, 0, -1]);
    }
  });

  it("mixes stereo and multichannel down to mono", async () => {
    const stereo = makeWav({ bits: 16, channels: 2, rate: 16000, frames: 100, value: (_, c) => (c === 0 ? 0.5 : 0.25) });
    const { samples } = await decodeAudio(stereo, {});
    assert.equal(samples.length, 100);
    close(samples[50]!, 0.375, 1e-4);
    const six = makeWav({ bits: 24, channels: 6, rate: 16000, frames: 10, value: (_, c) => c / 10 });
    close(decodeWav(six, undefined)![3]!, 0.25, 1e-4);
  });

  it("supports WAVE_FORMAT_EXTENSIBLE (24-bit PCM and float)", () => {
    const pcm = makeWav({ bits: 24, channels: 2, rate: 16000, frames: 400, extensible: true, value: () => -0.125 });
    assert.equal(parseWavHeader(pcm)?.format, 1);
    close(decodeWav(pcm, undefined)![10]!, -0.125, 1e-5);
    const float = makeWav({ format: 3, bits: 32, rate: 16000, frames: 40, extensible: true, value: () => 0.75 });
    assert.equal(decodeWav(float, undefined)![39], 0.75);
  });

  it("resamples 44.1 kHz to 16 kHz with the right length, pitch and level", async () => {
    const wav = makeWav({ bits: 16, channels: 2, rate: 44100, frames: 44100, value: (f) => 0.5 * Math.sin((2 * Math.PI * 440 * f) / 44100) });
    const { samples } = await decodeAudio(wav, {});
    assert.equal(samples.length, 16000);
    close(frequency(samples, 16000), 440, 3, "frequency");
    close(peak(samples, 1000, 15000), 0.5, 0.01, "peak");
  });

  it("resampling removes content above the new Nyquist frequency", () => {
    const rate = 48000;
    const tone = new Float32Array(rate).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 12000 * i) / rate)); // above 8 kHz
    const out = resample(tone, rate, 16000);
    assert.equal(out.length, 16000);
    assert.ok(peak(out, 500, 15500) < 0.01, `aliasing left ${peak(out, 500, 15500)}`);
  });

  it("upsamples 8 kHz to 16 kHz", async () => {
    const wav = makeWav({ bits: 16, rate: 8000, frames: 8000, value: (f) => 0.5 * Math.sin((2 * Math.PI * 300 * f) / 8000) });
    const { samples } = await decodeAudio(wav, {});
    assert.equal(samples.length, 16000);
    close(frequency(samples, 16000), 300, 3);
  });

  it("skips unknown chunks, including odd-sized ones with padding", async () => {
    const wav = makeWav({ bits: 16, rate: 16000, frames: 320, junkBefore: Buffer.from("abc"), value: () => 0.5 });
    const { samples } = await decodeAudio(wav, {});
    assert.equal(samples.length, 320);
    close(samples[0]!, 0.5, 1e-4);
  });

  it("survives lying sizes: streaming 0xFFFFFFFF, 0, oversized data and RIFF sizes, truncated frames", async () => {
    for (const dataSize of [0xffffffff, 0, 10_000_000]) {
      const wav = makeWav({ bits: 16, rate: 16000, frames: 800, dataSize, riffSize: 0xffffffff });
      assert.equal((await decodeAudio(wav, {})).samples.length, 800, `data size ${dataSize}`);
    }
    const stereo = makeWav({ bits: 24, channels: 2, rate: 16000, frames: 100 });
    const truncated = stereo.subarray(0, stereo.length - 4); // ends mid-frame
    assert.equal((await decodeAudio(truncated, {})).samples.length, 99);
    // A fmt chunk claiming to be enormous ends the chunk walk without a data chunk.
    const lying = makeWav({ bits: 16, rate: 16000, frames: 100 });
    lying.writeUInt32LE(0x7fffffff, 16);
    await rejectsCode(decodeAudio(lying, {}), ErrorCode.NoAudio);
  });

  it("rejects broken headers with MediaError, never a crash", async () => {
    const good = makeWav({ bits: 16, rate: 16000, frames: 100 });
    await rejectsCode(decodeAudio(good.subarray(0, 20), {}), ErrorCode.NoAudio); // truncated fmt
    await rejectsCode(decodeAudio(good.subarray(0, 36), {}), ErrorCode.NoAudio); // no data chunk
    const noChannels = Buffer.from(good);
    noChannels.writeUInt16LE(0, 22);
    await rejectsCode(decodeAudio(noChannels, {}), ErrorCode.NoAudio);
    const badRate = Buffer.from(good);
    badRate.writeUInt32LE(0, 24);
    await rejectsCode(decodeAudio(badRate, {}), ErrorCode.NoAudio);
    const empty = makeWav({ bits: 16, rate: 16000, frames: 0 });
    await rejectsCode(decodeAudio(empty, {}), ErrorCode.NoAudio);
    for (let cut = 12; cut < good.length; cut += 7) {
      try {
        await decodeAudio(good.subarray(0, cut), {});
      } catch (error) {
        assert.ok(error instanceof MediaError, `cut at ${cut}: ${String(error)}`);
      }
    }
  });

  it("E0203 from the header, before conversion, with the limit and the length", async () => {
    const wav = makeWav({ bits: 8, rate: 8000, frames: 8000 * 7.2 });
    await rejectsCode(decodeAudio(wav, { maxDurationMs: 5000 }), ErrorCode.AudioTooLong, /^Audio is 7\.20 s long; the limit is 5\.00 s\.$/);
    // Exactly at the limit is accepted.
    const five = makeWav({ bits: 16, rate: 16000, frames: 80000 });
    assert.equal((await decodeAudio(five, { maxDurationMs: 5000 })).samples.length, 80000);
  });

  it("hands other codecs (µ-law) to ffmpeg", async () => {
    const wav = makeWav({ format: 7, bits: 8, rate: 8000, frames: 800, value: () => 0 });
    assert.equal(parseWavHeader(wav), undefined);
    wav.fill(0xff, parseWavHeader(makeWav({ bits: 8, rate: 8000, frames: 800 }))!.dataOffset); // µ-law silence
    const { samples } = await decodeAudio(wav, {});
    close(samples.length, 1600, 2);
  });
});
