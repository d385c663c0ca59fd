// Reading the box tree of MP4/MOV files (ISO BMFF): the box lister shared by the fast-start rewrite,
// and a probe of the index (`moov`) that answers what ffprobe would for the common case of one
// progressive file, so a video payload needs one ffmpeg process, not two. Anything it is not sure of
// (fragments, a missing table, a size that does not add up) is left to ffprobe.

import type { ProbeResult, ProbeStream } from "./ffmpeg.js";
import { isoBoxSize } from "./sniff.js";

export interface Box {
  type: string;
  start: number;
  /** Header bytes (8, or 16 with a 64-bit size). */
  header: number;
  end: number;
}

/** The boxes between `start` and `end`, or undefined when a size does not fit. */
export function boxes(bytes: Buffer, start: number, end: number): Box[] | undefined {
  const found: Box[] = [];
  let offset = start;
  while (offset + 8 <= end) {
    const box = isoBoxSize(bytes, offset, end);
    if (box === undefined || offset + box.size > end) return undefined;
    found.push({ type: bytes.toString("latin1", offset + 4, offset + 8), start: offset, header: box.header, end: offset + box.size });
    offset += box.size;
  }
  return offset === end ? found : undefined;
}

/** The boxes between `start` and `end` grouped by type, each group in file order; undefined when malformed. */
function byType(bytes: Buffer, start: number, end: number): Map<string, Box[]> | undefined {
  const found = boxes(bytes, start, end);
  if (found === undefined) return undefined;
  const groups = new Map<string, Box[]>();
  for (const box of found) {
    const group = groups.get(box.type);
    if (group === undefined) groups.set(box.type, [box]);
    else group.push(box);
  }
  return groups;
}

/** The children of `parent` grouped by type (listed once, however many of them are read). */
function childrenOf(bytes: Buffer, parent: Box | undefined): Map<string, Box[]> | undefined {
  return parent === undefined ? undefined : byType(bytes, parent.start + parent.header, parent.end);
}

/** The one box of `type` in `groups`, or undefined (absent, repeated, or the parent was malformed). */
function only(groups: Map<string, Box[]> | undefined, type: string): Box | undefined {
  const matches = groups?.get(type);
  return matches?.length === 1 ? matches[0] : undefined;
}

/** Timescale and duration of an mvhd or mdhd box (versions 0 and 1), or undefined. */
function timing(bytes: Buffer, box: Box): { timescale: number; duration: number } | undefined {
  const body = box.start + box.header;
  const version = bytes[body];
  const [at, wide] = version === 0 ? [body + 12, false] : version === 1 ? [body + 20, true] : [-1, false];
  if (at < 0 || at + (wide ? 12 : 8) > box.end) return undefined;
  const timescale = bytes.readUInt32BE(at);
  const duration = wide ? Number(bytes.readBigUInt64BE(at + 4)) : bytes.readUInt32BE(at + 4);
  // All ones means "unknown" (and 0 is what fragmented files say).
  const unknown = wide ? duration >= Number.MAX_SAFE_INTEGER : duration === 0xffffffff;
  return timescale > 0 && duration > 0 && !unknown ? { timescale, duration } : undefined;
}

/** Samples and their total duration in the track's timescale, from the time-to-sample table. */
function sampleTimes(bytes: Buffer, stts: Box): { samples: number; ticks: number } | undefined {
  const body = stts.start + stts.header;
  if (body + 8 > stts.end) return undefined;
  const entries = bytes.readUInt32BE(body + 4);
  if (body + 8 + entries * 8 > stts.end) return undefined;
  let samples = 0;
  let ticks = 0;
  for (let i = 0; i < entries; i++) {
    const count = bytes.readUInt32BE(body + 8 + i * 8);
    samples += count;
    ticks += count * bytes.readUInt32BE(body + 12 + i * 8);
  }
  return samples > 0 && ticks > 0 ? { samples, ticks } : undefined;
}

/** What ffprobe reports of one track, or undefined when unsure; null for a track that is neither video nor audio. */
function track(bytes: Buffer, trak: Box, index: number): ProbeStream | null | undefined {
  const mdia = childrenOf(bytes, only(childrenOf(bytes, trak), "mdia"));
  const hdlr = only(mdia, "hdlr");
  const mdhd = only(mdia, "mdhd");
  if (hdlr === undefined || mdhd === undefined || hdlr.start + hdlr.header + 12 > hdlr.end) return undefined;
  const handler = bytes.toString("latin1", hdlr.start + hdlr.header + 8, hdlr.start + hdlr.header + 12);
  if (handler !== "vide" && handler !== "soun") return null;
  const time = timing(bytes, mdhd);
  const stbl = childrenOf(bytes, only(childrenOf(bytes, only(mdia, "minf")), "stbl"));
  const stsd = only(stbl, "stsd");
  const stts = only(stbl, "stts");
  const frames = stts === undefined ? undefined : sampleTimes(bytes, stts);
  // The first sample entry: size, format, then (video) 6 reserved + 2 index + 16 predefined bytes and the size.
  const entry = stsd === undefined ? -1 : stsd.start + stsd.header + 8;
  if (time === undefined || frames === undefined || stsd === undefined || bytes.readUInt32BE(stsd.start + stsd.header + 4) !== 1 || entry + 36 > stsd.end) return undefined;
  const codec = bytes.toString("latin1", entry + 4, entry + 8);
  const duration = (time.duration / time.timescale).toFixed(6);
  if (handler === "soun") return { index, codec_type: "audio", codec_name: codec, duration };
  const width = bytes.readUInt16BE(entry + 32);
  const height = bytes.readUInt16BE(entry + 34);
  if (width === 0 || height === 0) return undefined;
  const rate = `${frames.samples * time.timescale}/${frames.ticks}`;
  return { index, codec_type: "video", codec_name: codec, width, height, duration, avg_frame_rate: rate, r_frame_rate: rate, nb_frames: String(frames.samples) };
}

/**
 * ffprobe's answer for a progressive MP4/MOV (the fields the video decoder reads: each video and audio
 * track, the video's size and average frame rate, the durations), or undefined when the file is
 * fragmented, holds more than one index, or anything is missing or malformed.
 */
export function probeIsoBmff(bytes: Buffer): ProbeResult | undefined {
  try {
    const top = byType(bytes, 0, bytes.length);
    const moov = childrenOf(bytes, only(top, "moov"));
    const mvhd = only(moov, "mvhd");
    if (moov === undefined || mvhd === undefined || top?.has("moof") === true || moov.has("mvex")) return undefined;
    const movie = timing(bytes, mvhd);
    if (movie === undefined) return undefined;
    const streams: ProbeStream[] = [];
    for (const trak of moov.get("trak") ?? []) {
      const stream = track(bytes, trak, streams.length);
      if (stream === undefined) return undefined;
      if (stream !== null) streams.push(stream);
    }
    return { streams, format: { duration: (movie.duration / movie.timescale).toFixed(6), format_name: "mov,mp4,m4a,3gp,3g2,mj2" } };
  } catch {
    // A table that points past its box (reads are bounds-checked): not a file this reader is sure of.
    return undefined;
  }
}
