// Opus in WebM and Ogg, read and decoded in-process: the same samples as ffmpeg gives, browser-style
// files (unknown sizes, streams cut short) read, and every file not handled exactly left to ffmpeg.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ErrorCode } from "../protocol/index.js";
import { decodeAudio, decodeAudioFfmpeg } from "./audio.js";
import { mediaInput } from "./ffmpeg.js";
import { decodeOpus, opusDurationMs, opusPacketSamples } from "./opus.js";
import { readOggOpus } from "./ogg.js";
import { readWebmOpus } from "./webm.js";
import { ffmpegAvailable, MediaFixtures, rejectsCode, TESTSRC } from "../../tests/support/media.js";

const skip = ffmpegAvailable() ? false : "ffmpeg/ffprobe are not installed";

/** A voiced, gliding, two-partial signal: closer to speech than a pure tone. */
const VOICE = (seconds: number, channels = 1): string[] => [
  "-f", "lavfi", "-i", `aevalsrc=0.4*sin(2*PI*(180*t+15*sin(2*PI*3*t)))+0.2*sin(2*PI*(540*t+45*sin(2*PI*3*t))):s=48000:d=${seconds}`,
  "-ac", String(channels),
];

/** Signal-to-difference ratio in dB of `actual` against `expected`. */
function snrDb(actual: Float32Array, expected: Float32Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < expected.length; i++) {
    signal += expected[i]! ** 2;
    noise += (actual[i]! - expected[i]!) ** 2;
  }
  return 10 * Math.log10(signal / Math.max(noise, 1e-12));
}

/** Rewrites every Cluster's size to "unknown", as a live MediaRecorder writes them. */
function withUnknownClusterSizes(webm: Buffer): Buffer {
  const out = Buffer.from(webm);
  for (let at = out.indexOf("1f43b675", 0, "hex"); at >= 0; at = out.indexOf("1f43b675", at + 4, "hex")) {
    const sizeAt = at + 4;
    const length = Math.clz32(out[sizeAt]!) - 23;
    out[sizeAt] = 0xff >> (length - 1); // marker bit and every value bit set
    for (let i = 1; i < length; i++) out[sizeAt + i] = 0xff;
  }
  return out;
}

describe("Opus in-process (WebM, Ogg)", { skip }, () => {
  const fixtures = new MediaFixtures();
  let mono: Buffer;
  let stereo: Buffer;
  let piped: Buffer;
  let ogg: Buffer;
  let oggStereo: Buffer;

  before(() => {
    mono = fixtures.generate("mono.webm", [...VOICE(3), "-c:a", "libopus", "-b:a", "32k"]);
    stereo = fixtures.generate("stereo.webm", [...VOICE(2, 2), "-c:a", "libopus"]);
    piped = fixtures.generatePiped([...VOICE(2), "-c:a", "libopus", "-f", "webm"]);
    ogg = fixtures.generate("mono.opus", [...VOICE(2.5), "-c:a", "libopus", "-f", "ogg"]);
    oggStereo = fixtures.generate("stereo.ogg", [...VOICE(1.5, 2), "-c:a", "libopus"]);
  });
  after(() => fixtures.dispose());

  it("gives ffmpeg's samples: same length, same alignment, the same level, mono and stereo", async () => {
    const files = [[mono, "webm"], [stereo, "webm"], [piped, "webm"], [ogg, "ogg"], [oggStereo, "ogg"]] as const;
    for (const [bytes, container] of files) {
      const track = container === "webm" ? readWebmOpus(bytes) : readOggOpus(bytes);
      assert.ok(track !== undefined, `the reader takes ffmpeg's ${container}/Opus`);
      const ours = (await decodeAudio(bytes)).samples;
      const theirs = await decodeAudioFfmpeg(mediaInput(bytes, container), undefined, undefined);
      assert.equal(ours.length, theirs.length);
      // Only the resampling differs (libopus decodes at 16 kHz; ffmpeg at 48 kHz, then resamples).
      assert.ok(snrDb(ours, theirs) > 25, `in-process decoding differs from ffmpeg's: ${snrDb(ours, theirs).toFixed(1)} dB`);
      assert.ok(Math.abs(opusDurationMs(track) - (ours.length / 16)) < 1);
    }
  });

  it("reads a live recording's layout: unknown-size segment and clusters", async () => {
    const live = withUnknownClusterSizes(piped);
    assert.notDeepEqual(live, piped);
    assert.deepEqual(readWebmOpus(live)?.packets, readWebmOpus(piped)?.packets);
    assert.deepEqual((await decodeAudio(live)).samples, (await decodeAudio(piped)).samples);
  });

  it("a file cut short decodes up to the cut, as ffmpeg does", async () => {
    for (const [bytes, seconds] of [[mono, 3], [ogg, 2.5]] as const) {
      const samples = (await decodeAudio(bytes.subarray(0, Math.floor(bytes.length / 2)))).samples;
      assert.ok(samples.length > 0.25 * seconds * 16_000 && samples.length < 0.75 * seconds * 16_000, `${samples.length} samples`);
    }
  });

  it("a recording over the limit is refused by its packets' durations (E0203), as long as ffmpeg measures it", async () => {
    const error = await rejectsCode(decodeAudio(mono, { maxDurationMs: 1000 }), ErrorCode.AudioTooLong);
    assert.match(error.message, /^Audio is 3\.00 s long; the limit is 1\.00 s\.$/);
  });

  it("leaves to ffmpeg what it does not handle exactly: another codec, a video track, two streams", async () => {
    const vorbis = fixtures.generate("vorbis.webm", [...VOICE(1), "-c:a", "libvorbis"]);
    const oggVorbis = fixtures.generate("vorbis.ogg", [...VOICE(1), "-c:a", "libvorbis"]);
    const video = fixtures.generate("video.webm", [...TESTSRC(1), ...VOICE(1), "-c:v", "libvpx", "-c:a", "libopus", "-shortest"]);
    const twoStreams = fixtures.generate("two.ogg", [...VOICE(1), ...VOICE(1), "-map", "0:a", "-map", "1:a", "-c:a", "libopus"]);
    assert.equal(readWebmOpus(vorbis), undefined);
    assert.equal(readWebmOpus(video), undefined);
    assert.equal(readOggOpus(oggVorbis), undefined);
    assert.equal(readOggOpus(twoStreams), undefined);
    assert.ok((await decodeAudio(vorbis)).samples.length > 15_000);
    assert.ok((await decodeAudio(oggVorbis)).samples.length > 15_000);
    assert.equal(readWebmOpus(Buffer.from("not a webm at all")), undefined);
    assert.equal(readOggOpus(Buffer.from("OggS but nothing after")), undefined);
  });

  it("a corrupt packet stays silent for its duration (what follows keeps its time) and prints nothing", async (t) => {
    const track = readWebmOpus(mono)!;
    // Every fourth packet made invalid: two frames (code 1) that cannot split one byte evenly.
    const damaged = { ...track, packets: track.packets.map((p, i) => (i % 4 === 0 ? Uint8Array.of((p[0]! & ~3) | 1, 0x55) : p)) };
    const printed = t.mock.method(console, "error");
    const samples = await decodeOpus(damaged);
    assert.equal(printed.mock.callCount(), 0);
    // Each invalid packet counts for its TOC's duration (two frames: 2/5 of the stream), left silent.
    assert.equal(samples.length, Math.round(opusDurationMs(damaged) * 16));
    const silent = samples.filter((v) => v === 0).length / samples.length;
    assert.ok(silent > 0.3 && silent < 0.5, `silent fraction ${silent}`);
  });

  it("packet durations from the TOC byte (RFC 6716 §3.1)", () => {
    assert.equal(opusPacketSamples(Uint8Array.of(0xfc)), 960); // CELT 20 ms, one frame
    assert.equal(opusPacketSamples(Uint8Array.of(0x19)), 2880 * 2); // SILK 60 ms, code 1: two frames
    assert.equal(opusPacketSamples(Uint8Array.of(0x7b, 0x03)), 960 * 3); // hybrid 20 ms, code 3, three frames
    assert.equal(opusPacketSamples(Uint8Array.of()), 0);
    assert.equal(opusPacketSamples(Uint8Array.of(0xfb, 0x3f)), 0); // 63 × 20 ms: over the 120 ms a packet may hold
  });
});
