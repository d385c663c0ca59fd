// Sniffing and decoding of every supported container, on media generated with ffmpeg in `before`.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ErrorCode, type Limits } from "../protocol/index.js";
import { decodeAudio } from "./audio.js";
import { decodeMedia } from "./decode.js";
import type { DecodeNeeds } from "./types.js";
import { MediaError } from "./errors.js";
import { ffmpegProcessesRunning } from "./ffmpeg.js";
import { ffmpegAvailable, LIMITS, limits, MediaFixtures, SINE, TESTSRC, rejectsCode } from "../../tests/support/media.js";
import { readPayload, type MediaPayload } from "./payload.js";
import { sniffMedia } from "./sniff.js";
import type { DecodedMedia, VideoFrame } from "./types.js";

const skip = ffmpegAvailable() ? false : "ffmpeg/ffprobe are not installed";

const ALL: DecodeNeeds = { audio: true, audioWindow: false, frameRate: 3 };
const AUDIO: DecodeNeeds = { audio: true, audioWindow: false, frameRate: undefined };

/** name → [ffmpeg args, expected kind, expected container] — 1 s of 440 Hz and/or 1 s of 64×48 testsrc at 10 fps. */
const SPECS: Record<string, [string[], "audio" | "video", string]> = {
  "a.wav": [[...SINE(1), "-ar", "22050"], "audio", "wav"],
  "a.mp3": [[...SINE(1), "-c:a", "libmp3lame"], "audio", "mp3"],
  "a-vorbis.ogg": [[...SINE(1), "-c:a", "libvorbis"], "audio", "ogg"],
  "a.opus": [[...SINE(1), "-c:a", "libopus"], "audio", "ogg"],
  "a-opus.webm": [[...SINE(1), "-c:a", "libopus"], "audio", "webm"],
  "a.flac": [[...SINE(1), "-c:a", "flac"], "audio", "flac"],
  "a.m4a": [[...SINE(1), "-c:a", "aac"], "audio", "m4a"],
  "a.aac": [[...SINE(1), "-c:a", "aac", "-f", "adts"], "audio", "aac"],
  "a-pcm.mkv": [[...SINE(1), "-c:a", "pcm_s16le"], "audio", "matroska"],
  "v.mp4": [[...TESTSRC(1), ...SINE(1), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"], "video", "mp4"],
  "v-noaudio.mp4": [[...TESTSRC(1), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"], "video", "mp4"],
  "v.webm": [[...TESTSRC(1), ...SINE(1), "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", "-shortest"], "video", "webm"],
  "v.mov": [[...TESTSRC(1), ...SINE(1), "-c:v", "mpeg4", "-c:a", "pcm_s16le", "-shortest"], "video", "mov"],
  "v.mkv": [[...TESTSRC(1), ...SINE(1), "-c:v", "mpeg4", "-c:a", "flac", "-shortest"], "video", "matroska"],
  "v-theora.ogv": [[...TESTSRC(1), ...SINE(1), "-c:v", "libtheora", "-c:a", "libvorbis", "-shortest"], "video", "ogg"],
  "v.avi": [[...TESTSRC(1), "-c:v", "mpeg4"], "video", "avi"],
  "v.ts": [[...TESTSRC(1), "-c:v", "mpeg2video"], "video", "mpegts"],
  // An MP4 with only audio: the brand is isom, so it sniffs as video and decodes as audio.
  "a-only.mp4": [[...SINE(1), "-c:a", "aac"], "video", "mp4"],
};

function payloadOf(bytes: Buffer, lim: Limits = LIMITS): MediaPayload {
  return readPayload(bytes.toString("base64"), false, lim);
}

function audioLength(decoded: DecodedMedia): number {
  if (decoded.kind === "audio") return decoded.audio.samples.length;
  if (decoded.kind === "video") return decoded.audio?.samples.length ?? 0;
  return 0;
}

describe("ffmpeg-decoded media", { skip }, () => {
  const fixtures = new MediaFixtures();
  const media = new Map<string, Buffer>();

  before(() => {
    for (const [name, [args]] of Object.entries(SPECS)) media.set(name, fixtures.generate(name, args));
    // Written to a pipe: no duration in the header, like browser MediaRecorder output.
    media.set("piped-long.webm", fixtures.generatePiped([...TESTSRC(3), ...SINE(3), "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", "-shortest", "-f", "webm"]));
    media.set("piped-long-audio.webm", fixtures.generatePiped([...SINE(3), "-c:a", "libopus", "-f", "webm"]));
    media.set("a-long.ogg", fixtures.generate("a-long.ogg", [...SINE(7.2), "-c:a", "libvorbis"]));
    media.set("v-long.mp4", fixtures.generate("v-long.mp4", [...TESTSRC(7.2), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]));
    media.set("anim.gif", fixtures.generate("anim.gif", [...TESTSRC(0.5, "32x24", 4)]));
  });
  after(() => fixtures.dispose());

  it("sniffs every container", () => {
    for (const [name, [, kind, container]] of Object.entries(SPECS)) {
      assert.deepEqual(sniffMedia(media.get(name)!), { kind, container }, name);
      const payload = payloadOf(media.get(name)!);
      assert.equal(payload.kind, kind, name);
    }
    assert.deepEqual(sniffMedia(media.get("anim.gif")!), { kind: "image", container: "gif" });
  });

  for (const name of Object.keys(SPECS).filter((n) => SPECS[n]![1] === "audio")) {
    it(`decodes ${name} to about 1 s of 16 kHz mono`, async () => {
      const decoded = await decodeMedia(payloadOf(media.get(name)!), AUDIO, LIMITS);
      assert.equal(decoded.kind, "audio");
      const length = audioLength(decoded);
      assert.ok(length >= 15_000 && length <= 17_500, `${name}: ${length} samples`);
      // A 440 Hz sine at full ffmpeg lavfi level (1/8): not silence.
      const samples = decoded.kind === "audio" ? decoded.audio.samples : new Float32Array(0);
      assert.ok(samples.slice(4000, 12000).some((v) => Math.abs(v) > 0.05), `${name}: silent`);
    });
  }

  for (const name of ["v.mp4", "v.webm", "v.mov", "v.mkv", "v-theora.ogv"]) {
    it(`decodes ${name}: frames at fps_pred and the audio track`, async () => {
      const decoded = await decodeMedia(payloadOf(media.get(name)!), ALL, LIMITS);
      assert.equal(decoded.kind, "video");
      if (decoded.kind !== "video") return;
      assert.ok(decoded.frames.length >= 3 && decoded.frames.length <= 4, `${name}: ${decoded.frames.length} frames`);
      for (const frame of decoded.frames) {
        assert.deepEqual([frame.image.width, frame.image.height, frame.image.data.length], [64, 48, 64 * 48 * 3]);
      }
      assert.deepEqual(decoded.frames.slice(0, 3).map((f) => f.time), [0, 1 / 3, 2 / 3]);
      assert.deepEqual(decoded.frames.slice(0, 3).map((f) => f.index), [0, 3, 7]);
      assert.ok(decoded.durationMs > 900 && decoded.durationMs < 1200, `${name}: ${decoded.durationMs} ms`);
      const audio = audioLength(decoded);
      assert.ok(audio > 14_000 && audio < 18_000, `${name}: ${audio} samples`);
    });
  }

  it("fps_pred 0 (or above the source rate) decodes every frame", async () => {
    for (const fps of [0, 30]) {
      const decoded = await decodeMedia(payloadOf(media.get("v.mp4")!), { audio: false, audioWindow: false, frameRate: fps }, LIMITS);
      assert.ok(decoded.kind === "video");
      assert.equal(decoded.frames.length, 10);
      assert.deepEqual(decoded.frames.map((f) => f.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(decoded.audio, undefined);
      // Frames lie in shared memory, so a model's worker reads them without a copy.
      assert.ok(decoded.frames.every((f) => f.image.data.buffer instanceof SharedArrayBuffer));
    }
  });

  it("other video containers decode frames (avi, mpegts)", async () => {
    for (const name of ["v.avi", "v.ts"]) {
      const decoded = await decodeMedia(payloadOf(media.get(name)!), { audio: false, audioWindow: false, frameRate: 5 }, LIMITS);
      assert.ok(decoded.kind === "video" && decoded.frames.length >= 5 && decoded.frames.length <= 6, name);
    }
  });

  it("an MP4 with only audio decodes as audio", async () => {
    const decoded = await decodeMedia(payloadOf(media.get("a-only.mp4")!), ALL, LIMITS);
    assert.equal(decoded.kind, "audio");
    assert.ok(audioLength(decoded) > 15_000);
  });

  it("E0202 when audio models need audio and the video has none", async () => {
    await rejectsCode(decodeMedia(payloadOf(media.get("v-noaudio.mp4")!), ALL, LIMITS), ErrorCode.NoAudio, /no audio track/);
    const framesOnly = await decodeMedia(payloadOf(media.get("v-noaudio.mp4")!), { audio: false, audioWindow: false, frameRate: 3 }, LIMITS);
    assert.ok(framesOnly.kind === "video" && framesOnly.frames.length >= 3);
  });

  it("E0203 for compressed audio over the limit states the limit and the length", async () => {
    await rejectsCode(decodeMedia(payloadOf(media.get("a-long.ogg")!), AUDIO, LIMITS), ErrorCode.AudioTooLong, /^Audio is 7\.2\d s long; the limit is 5\.00 s\.$/);
    await rejectsCode(decodeMedia(payloadOf(media.get("a.mp3")!), AUDIO, limits({ maxAudioMs: 500 })), ErrorCode.AudioTooLong, /Audio is (at least )?1\.0\d s long; the limit is 0\.50 s\./);
    await rejectsCode(decodeAudio(media.get("a-long.ogg")!, { maxDurationMs: 5000 }), ErrorCode.AudioTooLong);
    // Without a limit (the CLI), everything is decoded.
    const all = await decodeAudio(media.get("a-long.ogg")!, {});
    assert.ok(Math.abs(all.samples.length - 7.2 * 16000) < 1000);
  });

  it("E0203 for streamed WebM audio without a duration in the header", async () => {
    await rejectsCode(decodeMedia(payloadOf(media.get("piped-long-audio.webm")!), AUDIO, limits({ maxAudioMs: 1000 })), ErrorCode.AudioTooLong, /the limit is 1\.00 s/);
    const ok = await decodeMedia(payloadOf(media.get("piped-long-audio.webm")!), AUDIO, LIMITS);
    assert.ok(Math.abs(audioLength(ok) - 48_000) < 1000);
  });

  it("E0204 for video over the limit, from the header or from decoding", async () => {
    await rejectsCode(decodeMedia(payloadOf(media.get("v-long.mp4")!), ALL, LIMITS), ErrorCode.VideoTooLong, /^Video is 7\.20 s long; the limit is 5\.00 s\.$/);
    await rejectsCode(decodeMedia(payloadOf(media.get("piped-long.webm")!), ALL, limits({ maxVideoMs: 1000 })), ErrorCode.VideoTooLong, /the limit is 1\.00 s/);
    await rejectsCode(decodeMedia(payloadOf(media.get("piped-long.webm")!), { audio: false, audioWindow: false, frameRate: 0 }, limits({ maxVideoMs: 1000 })), ErrorCode.VideoTooLong);
    const ok = await decodeMedia(payloadOf(media.get("piped-long.webm")!), ALL, LIMITS);
    assert.ok(ok.kind === "video" && ok.durationMs > 2500 && ok.durationMs < 3500, `durationMs ${ok.kind === "video" ? ok.durationMs : ""}`);
  });

  it("E0205 for video frames over the side limit", async () => {
    await rejectsCode(decodeMedia(payloadOf(media.get("v.mp4")!), ALL, limits({ maxImageSide: 32 })), ErrorCode.ImageTooLarge, /64x48.*32x32/);
  });

  it("E0205 for frames over the side limit when the MP4 index claims a smaller size (read from the frames)", async () => {
    const lying = Buffer.from(media.get("v-noaudio.mp4")!);
    const entry = lying.indexOf("avc1") - 4;
    lying.writeUInt16BE(16, entry + 32);
    lying.writeUInt16BE(12, entry + 34);
    await rejectsCode(decodeMedia(payloadOf(lying), ALL, limits({ maxImageSide: 32 })), ErrorCode.ImageTooLarge, /64x48.*32x32/);
    assert.equal(ffmpegProcessesRunning(), 0);
  });

  it("hands each kept frame to onFrame, in order, while decoding (the frames the decode returns)", async () => {
    for (const [name, frameRate] of [["v.mp4", 3], ["v.webm", 3], ["v.mp4", 0]] as const) {
      const handed: VideoFrame[] = [];
      const decoded = await decodeMedia(payloadOf(media.get(name)!), { ...ALL, frameRate }, LIMITS, { onFrame: (frame) => handed.push(frame) });
      assert.ok(decoded.kind === "video");
      assert.deepEqual(handed.map((f) => [f.index, f.time]), decoded.frames.map((f) => [f.index, f.time]), `${name} at ${frameRate}`);
      assert.ok(handed.every((f, i) => f.image === decoded.frames[i]!.image), `${name}: the same pixels, not a copy`);
    }
  });

  it("a video the probe refuses leaves no frame decoder running (frames are decoded beside the probe)", async () => {
    await rejectsCode(decodeMedia(payloadOf(media.get("v-long.mp4")!), ALL, LIMITS), ErrorCode.VideoTooLong);
    await rejectsCode(decodeMedia(payloadOf(media.get("v.mp4")!), ALL, limits({ maxImageSide: 32 })), ErrorCode.ImageTooLarge);
    assert.equal(ffmpegProcessesRunning(), 0);
  });

  it("an animated GIF is an image: its first frame", async () => {
    const decoded = await decodeMedia(payloadOf(media.get("anim.gif")!), ALL, LIMITS);
    assert.ok(decoded.kind === "image");
    assert.deepEqual([decoded.image.width, decoded.image.height], [32, 24]);
  });

  it("corrupted and truncated media give MediaErrors, never crashes", async () => {
    const cases: [string, Buffer][] = [];
    for (const name of ["v.mp4", "v.webm", "v.mov", "a.mp3", "a-vorbis.ogg", "a.flac", "a.m4a", "a-opus.webm"]) {
      const bytes = media.get(name)!;
      cases.push([`${name} half`, bytes.subarray(0, Math.floor(bytes.length / 2))]);
      cases.push([`${name} head`, bytes.subarray(0, 64)]);
      const flipped = Buffer.from(bytes);
      for (let i = 200; i < flipped.length; i += 97) flipped[i] = flipped[i]! ^ 0x5a;
      cases.push([`${name} bit-flipped`, flipped]);
    }
    cases.push(["OggS + junk", Buffer.concat([Buffer.from("OggS"), Buffer.alloc(300, 0x11)])]);
    cases.push(["EBML + junk", Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(300, 0x22)])]);
    cases.push(["ftyp + junk", Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from("ftypisom"), Buffer.alloc(300, 0x33)])]);
    for (const [what, bytes] of cases) {
      let payload: MediaPayload;
      try {
        payload = payloadOf(bytes);
      } catch (error) {
        assert.ok(error instanceof MediaError, `${what}: ${String(error)}`);
        continue;
      }
      try {
        await decodeMedia(payload, ALL, LIMITS);
      } catch (error) {
        assert.ok(error instanceof MediaError, `${what}: ${String(error)}`);
        assert.ok(([ErrorCode.UnknownMedia, ErrorCode.NoAudio] as string[]).includes(error.code), `${what}: ${error.code} ${error.message}`);
      }
    }
    await rejectsCode(decodeMedia(payloadOf(Buffer.concat([Buffer.from("OggS"), Buffer.alloc(300, 0x11)])), AUDIO, LIMITS), ErrorCode.NoAudio);
  });
});
