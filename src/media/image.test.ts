import assert from "node:assert/strict";
import { describe, it } from "node:test";
import sharp from "sharp";
import { ErrorCode } from "../protocol/index.js";
import { decodeMedia } from "./decode.js";
import { MediaError } from "./errors.js";
import { ffmpegAvailable, LIMITS, limits, makeBmp, pngClaiming, rejectsCode } from "../../tests/support/media.js";
import { readPayload } from "./payload.js";
import type { ImageFrame } from "./types.js";

const NEEDS = { audio: false, audioWindow: false, frameRate: 3 };

async function decodeBytes(bytes: Buffer, lim = LIMITS): Promise<ImageFrame> {
  const payload = readPayload(bytes.toString("base64"), false, lim);
  assert.equal(payload.kind, "image");
  const decoded = await decodeMedia(payload, NEEDS, lim);
  assert.equal(decoded.kind, "image");
  return decoded.kind === "image" ? decoded.image : assert.fail("not an image");
}

function pixel(image: ImageFrame, x: number, y: number): number[] {
  const at = (y * image.width + x) * 3;
  return Array.from(image.data.subarray(at, at + 3));
}

function near(actual: number[], expected: number[], tolerance = 12): void {
  assert.ok(actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance), `${actual} ≉ ${expected}`);
}

/** Left half red, right half blue. */
function halves(width: number, height: number): sharp.Sharp {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(x < width / 2 ? [255, 0, 0] : [0, 0, 255], (y * width + x) * 3);
  return sharp(data, { raw: { width, height, channels: 3 } });
}

describe("images", () => {
  for (const format of ["jpeg", "png", "webp", "gif", "tiff"] as const) {
    it(`sniffs and decodes ${format} to RGB`, async () => {
      const bytes = await halves(40, 20).toFormat(format).toBuffer();
      const payload = readPayload(bytes.toString("base64"), false, LIMITS);
      assert.deepEqual(payload.kind === "image" && [payload.kind, payload.container], ["image", format]);
      const image = await decodeBytes(bytes);
      assert.equal(image.width, 40);
      assert.equal(image.height, 20);
      assert.equal(image.data.length, 40 * 20 * 3);
      near(pixel(image, 2, 10), [255, 0, 0], 40);
      near(pixel(image, 37, 10), [0, 0, 255], 40);
    });
  }

  it("decodes a handcrafted BMP (through ffmpeg)", { skip: ffmpegAvailable() ? false : "ffmpeg is not installed" }, async () => {
    const bmp = makeBmp(5, 3, (x, y) => [x * 50, y * 100, 7]);
    const payload = readPayload(bmp.toString("base64"), false, LIMITS);
    assert.ok(payload.kind === "image" && payload.container === "bmp");
    const image = await decodeBytes(bmp);
    assert.deepEqual([image.width, image.height], [5, 3]);
    assert.deepEqual(pixel(image, 0, 0), [0, 0, 7]);
    assert.deepEqual(pixel(image, 4, 2), [200, 200, 7]);
  });

  it("E0205 for a BMP header over the limit, before decoding", async () => {
    const bmp = makeBmp(2, 2, () => [0, 0, 0]);
    bmp.writeInt32LE(5000, 18);
    bmp.writeInt32LE(-4000, 22); // top-down
    await rejectsCode(decodeBytes(bmp), ErrorCode.ImageTooLarge, /5000x4000.*3000x3000/);
  });

  it("applies EXIF orientation", async () => {
    // Stored 40×20, left red / right blue; orientation 6 = rotate 90° clockwise for display.
    const bytes = await halves(40, 20).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    assert.equal((await sharp(bytes).metadata()).orientation, 6);
    const image = await decodeBytes(bytes);
    assert.deepEqual([image.width, image.height], [20, 40]);
    near(pixel(image, 10, 2), [255, 0, 0], 40);
    near(pixel(image, 10, 37), [0, 0, 255], 40);
  });

  it("flattens alpha onto white and expands greyscale to RGB", async () => {
    const rgba = Buffer.from([255, 0, 0, 255, 0, 0, 0, 0]); // opaque red, transparent black
    const png = await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const image = await decodeBytes(png);
    assert.deepEqual(pixel(image, 0, 0), [255, 0, 0]);
    assert.deepEqual(pixel(image, 1, 0), [255, 255, 255]);
    const grey = await sharp(Buffer.from([10, 200]), { raw: { width: 2, height: 1, channels: 1 } }).png().toBuffer();
    const greyImage = await decodeBytes(grey);
    assert.deepEqual(Array.from(greyImage.data), [10, 10, 10, 200, 200, 200]);
  });

  it("reduces 16-bit PNGs to 8-bit RGB", async () => {
    const png = await sharp(Buffer.from([255, 0, 0, 0, 0, 255]), { raw: { width: 2, height: 1, channels: 3 } }).toColourspace("rgb16").png().toBuffer();
    assert.equal((await sharp(png).metadata()).depth, "ushort");
    assert.deepEqual(Array.from((await decodeBytes(png)).data), [255, 0, 0, 0, 0, 255]);
  });

  it("takes the first frame of an animated GIF", async () => {
    const frames = Buffer.concat([Buffer.alloc(4 * 4 * 3, 255), Buffer.alloc(4 * 4 * 3, 0)]);
    const animated = await sharp(frames, { raw: { width: 4, height: 8, channels: 3, pageHeight: 4 } }).gif().toBuffer();
    assert.equal((await sharp(animated, { pages: -1 }).metadata()).pages, 2);
    const image = await decodeBytes(animated);
    assert.deepEqual([image.width, image.height], [4, 4]);
    near(pixel(image, 1, 1), [255, 255, 255]);
  });

  it("E0205 from a PNG header claiming 100000x100000, without decoding it", async () => {
    const png = pngClaiming(100_000, 100_000);
    await rejectsCode(decodeBytes(png), ErrorCode.ImageTooLarge, /^Image is 100000x100000 pixels; the limit is 3000x3000 pixels\.$/);
  });

  it("E0205 when one side exceeds a configured limit", async () => {
    const png = await halves(64, 16).png().toBuffer();
    await rejectsCode(decodeBytes(png, limits({ maxImageSide: 32 })), ErrorCode.ImageTooLarge, /64x16.*32x32/);
    assert.equal((await decodeBytes(png, limits({ maxImageSide: 64 }))).width, 64);
  });

  it("corrupt or truncated images are MediaErrors", async () => {
    const png = await halves(64, 64).png().toBuffer();
    const jpeg = await halves(64, 64).jpeg().toBuffer();
    const garbage = Buffer.concat([jpeg.subarray(0, 3), Buffer.alloc(500, 0x41)]);
    await rejectsCode(decodeBytes(garbage), ErrorCode.UnknownMedia);
    for (const bytes of [png.subarray(0, 40), png.subarray(0, png.length - 30), jpeg.subarray(0, 200), jpeg.subarray(0, jpeg.length / 2)]) {
      try {
        await decodeBytes(bytes);
      } catch (error) {
        assert.ok(error instanceof MediaError && error.code === ErrorCode.UnknownMedia, String(error));
      }
    }
  });
});
