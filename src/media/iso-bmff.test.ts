// The MP4/MOV index reader answers what ffprobe answers for the fields the video decoder reads, and
// declines (leaving the file to ffprobe) whatever it is not sure of.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ffmpegAvailable, MediaFixtures, SINE, TESTSRC } from "../../tests/support/media.js";
import { probe, probeRate, type ProbeResult } from "./ffmpeg.js";
import { probeIsoBmff } from "./iso-bmff.js";

const skip = ffmpegAvailable() ? false : "ffmpeg/ffprobe are not installed";
const H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"];

/** name → ffmpeg args of files the reader must answer exactly. */
const ANSWERED: Record<string, string[]> = {
  "h264-aac.mp4": [...TESTSRC(1), ...SINE(1), ...H264, "-c:a", "aac", "-shortest"],
  "h264.mp4": [...TESTSRC(2, "96x64", 25), ...H264],
  "index-first.mp4": [...TESTSRC(1), ...H264, "-movflags", "+faststart"],
  "ntsc.mp4": [...TESTSRC(1, "64x48", 30000 / 1001), ...H264],
  "rotated.mp4": [...TESTSRC(1, "64x32"), ...H264, "-metadata:s:v", "rotate=90"],
  "mpeg4-pcm.mov": [...TESTSRC(1), ...SINE(1), "-c:v", "mpeg4", "-c:a", "pcm_s16le", "-shortest"],
  "audio-only.m4a": [...SINE(1), "-c:a", "aac"],
};

/** What the video decoder reads of a probe, comparable across the two readers. */
function readFields(result: ProbeResult) {
  return {
    streams: result.streams.map((s) => [s.codec_type, s.codec_type === "video" ? `${s.width}x${s.height}` : "", s.codec_type === "video" ? Number(probeRate(s.avg_frame_rate)!.toFixed(3)) : 0]),
    duration: Number(Number(result.format?.duration).toFixed(2)),
  };
}

describe("MP4/MOV index reader", { skip }, () => {
  const fixtures = new MediaFixtures();
  const files = new Map<string, Buffer>();

  before(() => {
    for (const [name, args] of Object.entries(ANSWERED)) files.set(name, fixtures.generate(name, args));
    files.set("fragmented.mp4", fixtures.generate("fragmented.mp4", [...TESTSRC(1), ...H264, "-movflags", "frag_keyframe+empty_moov"]));
  });
  after(() => fixtures.dispose());

  for (const name of Object.keys(ANSWERED)) {
    it(`reads ${name} as ffprobe does`, async () => {
      const bytes = files.get(name)!;
      const mine = probeIsoBmff(bytes);
      assert.ok(mine !== undefined, `${name} was left to ffprobe`);
      const theirs = await probe({ bytes, demuxer: "mov", seekable: true });
      assert.deepEqual(readFields(mine), readFields(theirs));
    });
  }

  it("leaves fragmented files to ffprobe", () => {
    assert.equal(probeIsoBmff(files.get("fragmented.mp4")!), undefined);
  });

  it("declines cut, corrupted and foreign bytes without throwing", () => {
    const bytes = files.get("h264-aac.mp4")!;
    for (const cut of [8, 100, bytes.length - 1]) assert.equal(probeIsoBmff(bytes.subarray(0, cut)), undefined, `cut at ${cut}`);
    const moov = bytes.indexOf("moov");
    for (let at = moov; at < Math.min(bytes.length, moov + 600); at += 3) {
      const corrupt = Buffer.from(bytes);
      corrupt[at] = corrupt[at]! ^ 0xff;
      const result = probeIsoBmff(corrupt);
      if (result !== undefined) assert.ok(Array.isArray(result.streams));
    }
    assert.equal(probeIsoBmff(Buffer.from("not a movie at all")), undefined);
    assert.equal(probeIsoBmff(Buffer.alloc(0)), undefined);
  });
});
