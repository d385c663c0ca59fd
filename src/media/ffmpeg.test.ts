// The ffmpeg runner's hardening: timeout kill, output cap, concurrency cap, temp-file cleanup, protocols.

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ErrorCode } from "../protocol/index.js";
import { decodeAudio } from "./audio.js";
import { MediaError } from "./errors.js";
import {
  DEFAULT_FFMPEG_CONCURRENCY,
  DEFAULT_MAX_QUEUED,
  DEFAULT_QUEUE_WAIT_MS,
  FfmpegError,
  ffmpegProcessesRunning,
  ffmpegQueued,
  mediaInput,
  runFfmpeg,
  setFfmpegConcurrency,
  setFfmpegQueue,
  setSpareDecoders,
  spareDecoders,
  stopSpareDecoders,
  type MediaInput,
} from "./ffmpeg.js";
import { fastStart } from "./faststart.js";
import { DEFAULT_MAX_SPARES } from "./spare-processes.js";
import { ffmpegAvailable, MediaFixtures, SINE, TESTSRC } from "../../tests/support/media.js";

const skip = ffmpegAvailable() ? false : "ffmpeg/ffprobe are not installed";

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

describe("ffmpeg runner", { skip }, () => {
  const fixtures = new MediaFixtures();
  let flac: Buffer;
  let m4a: Buffer;
  // A private temp folder for this process, so the cleanup check is not confused by other test files.
  const privateTmp = mkdtempSync(join(tmpdir(), "moodwire-ffmpeg-test-"));
  const savedTmp = process.env.TMPDIR;

  before(() => {
    flac = fixtures.generate("long.flac", [...SINE(60), "-c:a", "flac"]);
    m4a = fixtures.generate("a.m4a", [...SINE(1), "-c:a", "aac"]);
    process.env.TMPDIR = privateTmp;
  });
  after(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    setFfmpegConcurrency(DEFAULT_FFMPEG_CONCURRENCY);
    setSpareDecoders(DEFAULT_MAX_SPARES);
    fixtures.dispose();
    rmSync(privateTmp, { recursive: true, force: true });
  });

  it("kills the process (SIGKILL) when the timeout passes", async () => {
    const input: MediaInput = { bytes: flac, demuxer: "flac", seekable: false };
    let caught: FfmpegError | undefined;
    await assert.rejects(runFfmpeg(input, ["-f", "f32le", "pipe:1"], { timeoutMs: 1 }), (error: unknown) => {
      assert.ok(error instanceof FfmpegError);
      caught = error;
      return true;
    });
    assert.equal(caught!.reason, "timeout");
    assert.ok(caught!.pid !== undefined);
    assert.ok(processGone(caught!.pid!), "the ffmpeg process is still alive");
    assert.equal(ffmpegProcessesRunning(), 0);
  });

  it("kills the process when its caller abandons it, and refuses to start one already abandoned", async () => {
    const input: MediaInput = { bytes: flac, demuxer: "flac", seekable: false };
    const abandon = new AbortController();
    // apad without a length never ends on its own.
    const running = runFfmpeg(input, ["-af", "apad", "-f", "null", "-"], { signal: abandon.signal, timeoutMs: 30_000 });
    setTimeout(() => abandon.abort(), 300);
    await assert.rejects(running, (error: unknown) => error instanceof FfmpegError && error.reason === "aborted" && error.pid !== undefined && processGone(error.pid));
    await assert.rejects(runFfmpeg(input, ["-f", "f32le", "pipe:1"], { signal: abandon.signal }), (error: unknown) => error instanceof FfmpegError && error.reason === "aborted" && error.pid === undefined);
    assert.equal(ffmpegProcessesRunning(), 0);
  });

  it("a decode timeout surfaces as a MediaError", async () => {
    await assert.rejects(decodeAudio(flac, { timeoutMs: 1 }), (error: unknown) => {
      assert.ok(error instanceof MediaError);
      assert.equal(error.code, ErrorCode.NoAudio);
      assert.match(error.message, /took too long/);
      return true;
    });
  });

  it("kills the process when stdout exceeds the cap", async () => {
    const input: MediaInput = { bytes: flac, demuxer: "flac", seekable: false };
    await assert.rejects(runFfmpeg(input, ["-f", "f32le", "pipe:1"], { maxOutputBytes: 10_000 }), (error: unknown) => {
      assert.ok(error instanceof FfmpegError && error.reason === "output-limit");
      return true;
    });
  });

  it("a duration limit stops decoding early: an hour-long file is never fully decoded", async () => {
    await assert.rejects(decodeAudio(flac, { maxDurationMs: 5000 }), (error: unknown) => {
      assert.ok(error instanceof MediaError && error.code === ErrorCode.AudioTooLong);
      assert.match(error.message, /^Audio is 60\.00 s long; the limit is 5\.00 s\.$/);
      return true;
    });
  });

  it("caps concurrent processes", async () => {
    setFfmpegConcurrency(1);
    let maxSeen = 0;
    const watcher = setInterval(() => (maxSeen = Math.max(maxSeen, ffmpegProcessesRunning())), 1);
    try {
      const results = await Promise.all([1, 2, 3].map(() => decodeAudio(m4a, {})));
      assert.equal(results.length, 3);
    } finally {
      clearInterval(watcher);
      setFfmpegConcurrency(DEFAULT_FFMPEG_CONCURRENCY);
    }
    assert.equal(maxSeen, 1);
    assert.throws(() => setFfmpegConcurrency(0), RangeError);
  });

  it("refuses with E0301 (busy) when the decode queue is full, and answers the rest", async () => {
    setFfmpegConcurrency(1);
    setFfmpegQueue(1, 60_000);
    try {
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => decodeAudio(m4a, {})));
      const busy = results.filter((r) => r.status === "rejected");
      // Which payload reaches the decoder first is not fixed.
      assert.ok(results.some((r) => r.status === "fulfilled"), "a payload that got the decoder is answered");
      assert.ok(busy.length >= 1, "a payload past the queue bound is refused");
      for (const r of busy) {
        assert.ok(r.reason instanceof MediaError);
        assert.equal(r.reason.code, ErrorCode.ServerBusy);
        assert.match(r.reason.message, /busy.*Retry later\.$/);
      }
      assert.equal(ffmpegQueued(), 0);
      assert.equal((await decodeAudio(m4a, {})).samples.length > 0, true, "the decoder works again afterwards");
    } finally {
      setFfmpegConcurrency(DEFAULT_FFMPEG_CONCURRENCY);
      setFfmpegQueue(DEFAULT_MAX_QUEUED, DEFAULT_QUEUE_WAIT_MS);
    }
  });

  it("refuses with E0301 (busy) a payload that waited too long for a decoder", async () => {
    setFfmpegConcurrency(1);
    setFfmpegQueue(8, 1);
    try {
      const input: MediaInput = { bytes: flac, demuxer: "flac", seekable: false };
      const [slow, waiting] = await Promise.allSettled([
        runFfmpeg(input, ["-f", "f32le", "pipe:1"]),
        runFfmpeg(input, ["-f", "f32le", "pipe:1"]),
      ]);
      assert.equal(slow.status, "fulfilled");
      assert.equal(waiting.status, "rejected");
      assert.ok(waiting.reason instanceof FfmpegError);
      assert.equal(waiting.reason.reason, "busy");
      assert.equal(ffmpegQueued(), 0);
    } finally {
      setFfmpegConcurrency(DEFAULT_FFMPEG_CONCURRENCY);
      setFfmpegQueue(DEFAULT_MAX_QUEUED, DEFAULT_QUEUE_WAIT_MS);
    }
    assert.throws(() => setFfmpegQueue(-1, 10), RangeError);
  });

  it("removes the private temp file used for seekable containers", async () => {
    const before = readdirSync(privateTmp);
    const { stdout } = await runFfmpeg({ bytes: m4a, demuxer: "mov", seekable: true }, ["-f", "f32le", "pipe:1"]);
    assert.ok(stdout.length > 15_000 * 4);
    // Cut inside the index: not rewritable, so decoded (and refused) from a temp file.
    await decodeAudio(Buffer.concat([m4a.subarray(0, 200), Buffer.alloc(100)]), {}).catch(() => undefined);
    assert.deepEqual(readdirSync(privateTmp), before);
  });

  it("only pipe/file input protocols: a playlist pointing at a local file is not followed", async () => {
    const secret = join(privateTmp, "secret.wav");
    writeFileSync(secret, fixtures.generate("s.wav", SINE(1)));
    const playlist = Buffer.from(`#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:${secret}\n#EXT-X-ENDLIST\n`);
    const input: MediaInput = { bytes: playlist, demuxer: "hls", seekable: false };
    await assert.rejects(runFfmpeg(input, ["-f", "f32le", "pipe:1"]), FfmpegError);
    rmSync(secret);
  });

  it("a pipe-fed run leaves one decoder started for the next with the same arguments; files start cold", async () => {
    stopSpareDecoders();
    setSpareDecoders(2);
    try {
      const input: MediaInput = { bytes: flac, demuxer: "flac", seekable: false };
      const cold = await runFfmpeg(input, ["-t", "1", "-f", "f32le", "pipe:1"]);
      assert.equal(spareDecoders(), 1);
      const warm = await runFfmpeg(input, ["-t", "1", "-f", "f32le", "pipe:1"]);
      assert.ok(warm.stdout.equals(cold.stdout), "a spare decodes exactly as a fresh process");
      assert.equal(spareDecoders(), 1, "the spare taken was replaced, not doubled");
      await runFfmpeg(input, ["-t", "2", "-f", "f32le", "pipe:1"]);
      await runFfmpeg(input, ["-t", "3", "-f", "f32le", "pipe:1"]);
      assert.equal(spareDecoders(), 2, "at most the configured number wait");
      const temp: MediaInput = { bytes: m4a, demuxer: "mov", seekable: true };
      await runFfmpeg(temp, ["-f", "f32le", "pipe:1"]);
      assert.equal(spareDecoders(), 2, "a temp-file input names its own file: no spare for it");
      setSpareDecoders(0);
      assert.equal(spareDecoders(), 0);
      await runFfmpeg(input, ["-t", "1", "-f", "f32le", "pipe:1"]);
      assert.equal(spareDecoders(), 0, "none are started when switched off");
      assert.throws(() => setSpareDecoders(-1), RangeError);
    } finally {
      setSpareDecoders(DEFAULT_MAX_SPARES);
    }
  });

  it("an MP4 with its index last is rewritten index-first and piped, and decodes exactly as from a temp file", async () => {
    const args = [...TESTSRC(2), ...SINE(2), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"];
    const indexLast = fixtures.generate("last.mp4", args);
    const indexFirst = fixtures.generate("first.mp4", [...args, "-movflags", "+faststart"]);
    const rewritten = fastStart(indexLast);
    assert.ok(rewritten !== undefined);
    assert.equal(rewritten.length, indexLast.length);
    assert.equal(fastStart(indexFirst), undefined, "nothing to do when the index is first");
    const input = mediaInput(indexLast, "mp4");
    assert.equal(input.seekable, false);
    assert.ok(input.bytes.equals(rewritten));
    // The rewritten file decodes to exactly what the original gives from a seekable temp file.
    const frames = ["-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"];
    const sound = ["-map", "0:a:0", "-f", "f32le", "pipe:1"];
    const fromFile: MediaInput = { bytes: indexLast, demuxer: "mov", seekable: true };
    for (const output of [frames, sound]) {
      const [a, b] = await Promise.all([runFfmpeg(fromFile, output), runFfmpeg(input, output)]);
      assert.ok(a.stdout.length > 0 && a.stdout.equals(b.stdout));
    }
    // Not rewritten: a broken box size, or no index at all.
    assert.equal(fastStart(Buffer.concat([indexLast.subarray(0, 32), Buffer.from([0, 0, 0, 3])])), undefined);
    assert.equal(fastStart(indexLast.subarray(0, 200)), undefined);
    assert.equal(mediaInput(indexLast.subarray(0, 200), "mp4").seekable, true);
  });
});
