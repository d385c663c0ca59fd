// "Fast start" for MP4/MOV in memory: the index (`moov`) moved in front of the media (`mdat`) with
// every chunk offset shifted to match, as qt-faststart does, so ffmpeg can demux the file from a pipe
// instead of a temp file (and a process started beforehand can take it).

import { boxes } from "./iso-bmff.js";

/** Boxes whose children hold the chunk offset tables (moov → trak → mdia → minf → stbl → stco/co64). */
const PATH_TO_OFFSETS: ReadonlySet<string> = new Set(["moov", "trak", "mdia", "minf", "stbl"]);

/**
 * Shifts, inside `moov` (a copy), every chunk offset that points before `before` by `shift` bytes.
 * False when a table is malformed or a 32-bit offset would overflow.
 */
function shiftOffsets(moov: Buffer, start: number, end: number, before: number, shift: number): boolean {
  const children = boxes(moov, start, end);
  if (children === undefined) return false;
  for (const box of children) {
    const body = box.start + box.header;
    if (PATH_TO_OFFSETS.has(box.type)) {
      if (!shiftOffsets(moov, body, box.end, before, shift)) return false;
    } else if (box.type === "stco" || box.type === "co64") {
      const width = box.type === "stco" ? 4 : 8;
      if (body + 8 > box.end) return false;
      const count = moov.readUInt32BE(body + 4);
      if (body + 8 + count * width > box.end) return false;
      for (let i = 0; i < count; i++) {
        const at = body + 8 + i * width;
        const offset = width === 4 ? moov.readUInt32BE(at) : Number(moov.readBigUInt64BE(at));
        if (offset >= before) continue;
        if (width === 4) {
          if (offset + shift > 0xffffffff) return false;
          moov.writeUInt32BE(offset + shift, at);
        } else {
          moov.writeBigUInt64BE(BigInt(offset + shift), at);
        }
      }
    } else if (box.type === "cmov") {
      // A compressed index cannot be patched in place.
      return false;
    }
  }
  return true;
}

/**
 * The same file with its `moov` in front of its first `mdat`, or undefined when the index is already
 * first, or the file is not one this can rewrite exactly (then it is decoded from a temp file).
 */
export function fastStart(bytes: Buffer): Buffer | undefined {
  const top = boxes(bytes, 0, bytes.length);
  if (top === undefined) return undefined;
  const moovIndex = top.findIndex((b) => b.type === "moov");
  const mdatIndex = top.findIndex((b) => b.type === "mdat");
  if (moovIndex < 0 || mdatIndex < 0 || moovIndex < mdatIndex || top.filter((b) => b.type === "moov").length !== 1) return undefined;
  const moov = top[moovIndex]!;
  const insertAt = top[mdatIndex]!.start;
  const index = Buffer.from(bytes.subarray(moov.start, moov.end));
  // Data between the insertion point and the old index moves forward by the index's size; data after it stays.
  if (!shiftOffsets(index, moov.header, index.length, moov.start, index.length)) return undefined;
  return Buffer.concat([bytes.subarray(0, insertAt), index, bytes.subarray(insertAt, moov.start), bytes.subarray(moov.end)]);
}
