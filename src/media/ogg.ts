// The Opus stream of an Ogg file, read without ffmpeg (what Firefox's MediaRecorder records). One
// logical stream only; chained or multiplexed files, and other codecs, are left to ffmpeg.

import { opusPacketSamples, parseOpusHead, type OpusStream } from "./opus.js";

const PAGE_HEADER_BYTES = 27;
const CONTINUED = 0x01;
const END_OF_STREAM = 0x04;

/**
 * The Opus packets of Ogg bytes (RFC 7845: OpusHead, OpusTags, then audio), or undefined when the
 * file is not one Opus stream. A file cut short keeps the packets read so far.
 */
export function readOggOpus(bytes: Buffer): OpusStream | undefined {
  const packets: Uint8Array[] = [];
  let serial: number | undefined;
  let pending: Buffer[] = [];
  let endGranule = -1;
  let offset = 0;
  while (offset + PAGE_HEADER_BYTES <= bytes.length && bytes.toString("latin1", offset, offset + 4) === "OggS") {
    const segments = bytes[offset + 26]!;
    const bodyStart = offset + PAGE_HEADER_BYTES + segments;
    if (bodyStart > bytes.length) break;
    const pageSerial = bytes.readUInt32LE(offset + 14);
    if (serial !== undefined && pageSerial !== serial) return undefined;
    serial = pageSerial;
    if ((bytes[offset + 5]! & CONTINUED) === 0) pending = [];
    let at = bodyStart;
    let truncated = false;
    for (let i = 0; i < segments; i++) {
      const lacing = bytes[offset + PAGE_HEADER_BYTES + i]!;
      if (at + lacing > bytes.length) {
        truncated = true;
        break;
      }
      pending.push(bytes.subarray(at, at + lacing));
      at += lacing;
      // A lacing value under 255 ends a packet; 255 continues it (possibly on the next page).
      if (lacing < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    if (truncated) break;
    if ((bytes[offset + 5]! & END_OF_STREAM) !== 0) endGranule = Number(bytes.readBigInt64LE(offset + 6));
    offset = at;
  }
  const [headPacket, tags, ...audio] = packets;
  const head = headPacket === undefined ? undefined : parseOpusHead(headPacket);
  if (head === undefined || tags === undefined || Buffer.from(tags.subarray(0, 8)).toString("latin1") !== "OpusTags") return undefined;
  let total = 0;
  for (const packet of audio) total += opusPacketSamples(packet);
  // The final page's granule position is where playback ends (pre-skip included); past it is padding.
  // A stream cut short has no final page and keeps everything.
  const endTrim = endGranule >= 0 ? Math.max(0, total - endGranule) : 0;
  return { head, packets: audio, endTrim };
}
