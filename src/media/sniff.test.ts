import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeBmp, makeWav } from "../../tests/support/media.js";
import { needsSeeking, sniffMedia } from "./sniff.js";

const bytes = (...parts: (string | number[] | Buffer)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));

/** A one-byte-size EBML element with a string value. */
const ebmlString = (id: number, value: string): Buffer => bytes([id, 0x80 | value.length], value);
const EBML = [0x1a, 0x45, 0xdf, 0xa3];

/** An MPEG-1 Layer III frame header, 128 kbit/s, 44.1 kHz: 417 bytes per frame. */
function mp3Frames(count: number): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat(Array.from({ length: count }, () => frame));
}

describe("sniffMedia", () => {
  it("images by magic bytes", () => {
    assert.deepEqual(sniffMedia(bytes([0xff, 0xd8, 0xff, 0xe0], "JFIF")), { kind: "image", container: "jpeg" });
    assert.deepEqual(sniffMedia(bytes([0x89], "PNG\r\n\x1a\n", [0, 0, 0, 13])), { kind: "image", container: "png" });
    assert.deepEqual(sniffMedia(bytes("GIF89a", [1, 0, 1, 0])), { kind: "image", container: "gif" });
    assert.deepEqual(sniffMedia(bytes("RIFF", [0, 0, 0, 0], "WEBPVP8 ")), { kind: "image", container: "webp" });
    assert.deepEqual(sniffMedia(makeBmp(2, 2, () => [0, 0, 0])), { kind: "image", container: "bmp" });
    assert.deepEqual(sniffMedia(bytes("II*\0", [8, 0, 0, 0])), { kind: "image", container: "tiff" });
    assert.deepEqual(sniffMedia(bytes([0, 0, 0, 28], "ftypavif", [0, 0, 0, 0])), { kind: "image", container: "avif" });
    assert.deepEqual(sniffMedia(bytes([0, 0, 0, 28], "ftypheic", [0, 0, 0, 0])), { kind: "image", container: "heic" });
  });

  it("audio by magic bytes", () => {
    assert.deepEqual(sniffMedia(makeWav({ bits: 16, rate: 8000, frames: 4 })), { kind: "audio", container: "wav" });
    assert.deepEqual(sniffMedia(bytes("RF64", [0xff, 0xff, 0xff, 0xff], "WAVEds64")), { kind: "audio", container: "wav" });
    assert.deepEqual(sniffMedia(bytes("ID3", [4, 0, 0, 0, 0, 0, 10], Buffer.alloc(20))), { kind: "audio", container: "mp3" });
    assert.deepEqual(sniffMedia(mp3Frames(3)), { kind: "audio", container: "mp3" });
    assert.deepEqual(sniffMedia(bytes("fLaC", [0, 0, 0, 34])), { kind: "audio", container: "flac" });
    assert.deepEqual(sniffMedia(bytes("OggS", Buffer.alloc(24), "\x01vorbis")), { kind: "audio", container: "ogg" });
    assert.deepEqual(sniffMedia(bytes("OggS", Buffer.alloc(24), "OpusHead")), { kind: "audio", container: "ogg" });
    assert.deepEqual(sniffMedia(bytes([0, 0, 0, 32], "ftypM4A ", [0, 0, 2, 0])), { kind: "audio", container: "m4a" });
    assert.deepEqual(sniffMedia(bytes("FORM", [0, 0, 0, 4], "AIFFCOMM")), { kind: "audio", container: "aiff" });
    assert.deepEqual(sniffMedia(bytes("#!AMR\n", [0x3c, 0, 0, 0])), { kind: "audio", container: "amr" });
    const webmAudio = bytes(EBML, ebmlString(0x42, "webm"), Buffer.alloc(30), ebmlString(0x86, "A_OPUS"));
    assert.deepEqual(sniffMedia(webmAudio), { kind: "audio", container: "webm" });
  });

  it("video by magic bytes, Matroska and Ogg by their track headers", () => {
    const webmVideo = bytes(EBML, ebmlString(0x42, "webm"), Buffer.alloc(30), ebmlString(0x86, "A_OPUS"), ebmlString(0x86, "V_VP8"));
    assert.deepEqual(sniffMedia(webmVideo), { kind: "video", container: "webm" });
    const mkv = bytes(EBML, ebmlString(0x42, "matroska"), Buffer.alloc(30), ebmlString(0x86, "V_MPEG4/ISO/AVC"));
    assert.deepEqual(sniffMedia(mkv), { kind: "video", container: "matroska" });
    // No codec ids in the scanned header: assume video (decodeMedia falls back to audio).
    assert.deepEqual(sniffMedia(bytes(EBML, ebmlString(0x42, "webm"), Buffer.alloc(64))), { kind: "video", container: "webm" });
    assert.deepEqual(sniffMedia(bytes("OggS", Buffer.alloc(24), "\x80theora")), { kind: "video", container: "ogg" });
    assert.deepEqual(sniffMedia(bytes([0, 0, 0, 32], "ftypisom", [0, 0, 2, 0])), { kind: "video", container: "mp4" });
    assert.deepEqual(sniffMedia(bytes([0, 0, 0, 20], "ftypqt  ", [0, 0, 2, 0])), { kind: "video", container: "mov" });
    assert.deepEqual(sniffMedia(bytes([0, 0, 0, 8], "wide", [0, 0, 0, 8], "mdat")), { kind: "video", container: "mov" });
    assert.deepEqual(sniffMedia(bytes([0, 0, 1, 0], "moov", Buffer.alloc(8))), { kind: "video", container: "mov" });
    assert.deepEqual(sniffMedia(bytes("RIFF", [0, 0, 0, 0], "AVI LIST")), { kind: "video", container: "avi" });
    const ts = Buffer.alloc(188 * 3);
    ts[0] = ts[188] = ts[376] = 0x47;
    assert.deepEqual(sniffMedia(ts), { kind: "video", container: "mpegts" });
    assert.deepEqual(sniffMedia(bytes([0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11], Buffer.alloc(16))), { kind: "video", container: "asf" });
  });

  it("does not mistake text or chance bytes for media", () => {
    for (const text of ["Hello", "BMW is a car brand and more text", "RIFF raffle tickets", "ID3 is a tag format", "moov"]) {
      assert.equal(sniffMedia(Buffer.from(text)), undefined, text);
    }
    // A UTF-16 BOM looks like an MPEG frame sync; one frame header without a second is not MP3.
    assert.equal(sniffMedia(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("hello world", "utf16le")])), undefined);
    assert.equal(sniffMedia(Buffer.concat([mp3Frames(1), Buffer.from("not a frame")])), undefined);
    assert.equal(sniffMedia(Buffer.alloc(0)), undefined);
    assert.equal(sniffMedia(Buffer.from([0xff])), undefined);
  });

  it("an MP4 needs seeking unless its index comes before its media", () => {
    const atom = (type: string, size = 16) => bytes([0, 0, 0, size], type, Buffer.alloc(size - 8));
    const ftyp = bytes([0, 0, 0, 16], "ftypisom", [0, 0, 2, 0]);
    assert.equal(needsSeeking(Buffer.concat([ftyp, atom("free"), atom("mdat"), atom("moov")]), "mp4"), true);
    assert.equal(needsSeeking(Buffer.concat([ftyp, atom("moov"), atom("mdat")]), "mp4"), false);
    // Fragmented, as browsers record: the index, then fragments.
    assert.equal(needsSeeking(Buffer.concat([ftyp, atom("moov"), atom("moof"), atom("mdat")]), "m4a"), false);
    // 64-bit sizes are followed; a size of 0 (to the end), a truncated header or a bad size stop the walk.
    const large = bytes([0, 0, 0, 1], "wide", [0, 0, 0, 0, 0, 0, 0, 24], Buffer.alloc(8));
    assert.equal(needsSeeking(Buffer.concat([ftyp, large, atom("moov")]), "mov"), false);
    assert.equal(needsSeeking(Buffer.concat([ftyp, bytes([0, 0, 0, 0], "mdat"), atom("moov")]), "mp4"), true);
    assert.equal(needsSeeking(Buffer.concat([ftyp, bytes([0, 0, 0, 3], "free"), atom("moov")]), "mp4"), true);
    assert.equal(needsSeeking(ftyp.subarray(0, 12), "mp4"), true);
    // Other containers: by kind alone.
    assert.equal(needsSeeking(Buffer.alloc(64), "avi"), true);
    assert.equal(needsSeeking(Buffer.alloc(64), "webm"), false);
  });
});
