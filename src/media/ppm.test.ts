// PPM stream parsing: frames come out whole and in order however ffmpeg's output is cut into chunks.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePpmFrames, PpmStream } from "./ppm.js";

function ppm(width: number, height: number, seed: number, header = `P6\n${width} ${height}\n255\n`): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + seed * 13) & 0xff;
  return Buffer.concat([Buffer.from(header, "latin1"), pixels]);
}

const STREAM = Buffer.concat([ppm(3, 2, 1), ppm(2, 4, 2, "P6 # a comment\n2 4 255\n"), ppm(5, 1, 3)]);
const EXPECTED = parsePpmFrames(STREAM).map((f) => [f.width, f.height, Buffer.from(f.data).toString("hex")]);

describe("PPM frames from ffmpeg's output", () => {
  it("splits concatenated images, comments and mid-stream size changes included", () => {
    assert.deepEqual(EXPECTED.map(([w, h]) => [w, h]), [[3, 2], [2, 4], [5, 1]]);
    assert.equal(EXPECTED[1]![2], ppm(2, 4, 2).subarray(-24).toString("hex"));
  });

  it("gives the same frames, in order and as soon as each is complete, for any chunking", () => {
    for (const size of [1, 2, 3, 5, 7, 11, 16, STREAM.length]) {
      const seen: number[] = [];
      const stream = new PpmStream((_frame, index) => seen.push(index));
      for (let at = 0; at < STREAM.length; at += size) {
        stream.push(STREAM.subarray(at, at + size));
        // A frame is handed over once its last byte arrived, not later.
        assert.equal(seen.length, parsePpmFrames(STREAM.subarray(0, Math.min(STREAM.length, at + size))).length, `chunk ${size} at ${at}`);
      }
      assert.deepEqual(seen, [0, 1, 2]);
      assert.deepEqual(stream.frames.map((f) => [f.width, f.height, Buffer.from(f.data).toString("hex")]), EXPECTED, `chunks of ${size}`);
    }
  });

  it("keeps each frame in its own shared memory", () => {
    const frames = parsePpmFrames(STREAM);
    assert.ok(frames.every((f) => f.data.buffer instanceof SharedArrayBuffer && f.data.byteLength === f.data.buffer.byteLength));
  });

  it("drops a truncated last frame and ignores what follows a malformed header", () => {
    assert.equal(parsePpmFrames(STREAM.subarray(0, STREAM.length - 1)).length, 2);
    assert.equal(parsePpmFrames(Buffer.concat([ppm(3, 2, 1), Buffer.from("P5\n3 2\n255\nxxxxxx"), ppm(3, 2, 1)])).length, 1);
    assert.equal(parsePpmFrames(Buffer.concat([ppm(3, 2, 1), ppm(3, 2, 1, "P6\n3 2\n65535\n")])).length, 1);
    assert.equal(parsePpmFrames(Buffer.from(`P6\n${"1".repeat(400)}`)).length, 0);
    assert.equal(parsePpmFrames(Buffer.alloc(0)).length, 0);
  });
});
