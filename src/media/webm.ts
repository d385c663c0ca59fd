// The Opus track of a WebM (Matroska) file, read without ffmpeg: what browsers record from a
// microphone (MediaRecorder: one Opus track, unknown-size segment and clusters, no lacing). Anything
// else (another codec, several audio tracks, laced blocks, a video track) is left to ffmpeg.

import { OPUS_RATE, parseOpusHead, type OpusHead, type OpusStream } from "./opus.js";

/** The Opus stream of a WebM file: its header, its packets in file order, and the end trim. */
export interface OpusTrack extends OpusStream {
  packets: Uint8Array[];
}

const ID = {
  segment: 0x18538067,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  trackType: 0x83,
  codecId: 0x86,
  codecPrivate: 0x63a2,
  cluster: 0x1f43b675,
  blockGroup: 0xa0,
  block: 0xa1,
  simpleBlock: 0xa3,
  discardPadding: 0x75a2,
} as const;

/** Master elements whose children are read; every other element is skipped whole. */
const ENTERED: ReadonlySet<number> = new Set([ID.segment, ID.tracks, ID.trackEntry, ID.cluster, ID.blockGroup]);
const TRACK_TYPE_VIDEO = 1;
const TRACK_TYPE_AUDIO = 2;

interface Vint {
  value: number;
  length: number;
  /** Every value bit set: "size unknown" (a live recording's segment and clusters). */
  unknown: boolean;
}

/** An EBML variable-length integer at `offset`; `keepMarker` for element IDs. Undefined past the end. */
function readVint(bytes: Uint8Array, offset: number, keepMarker: boolean): Vint | undefined {
  const first = bytes[offset];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (offset + length > bytes.length) return undefined;
  let value = keepMarker ? first : first & (0xff >> length);
  let unknown = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const byte = bytes[offset + i]!;
    value = value * 256 + byte;
    unknown &&= byte === 0xff;
  }
  return { value, length, unknown };
}

interface TrackEntry {
  number?: number;
  type?: number;
  codec?: string;
  codecPrivate?: Uint8Array;
}

/**
 * The single Opus audio track of WebM bytes and its packets, or undefined when the file is not
 * something this reader handles exactly (ffmpeg then decodes it). A file cut short keeps the packets
 * read so far, as ffmpeg does.
 */
export function readWebmOpus(bytes: Uint8Array): OpusTrack | undefined {
  const tracks: TrackEntry[] = [];
  let opus: { number: number; head: OpusHead } | undefined;
  const packets: Uint8Array[] = [];
  let discardNs = 0;
  let offset = 0;
  while (offset < bytes.length) {
    const id = readVint(bytes, offset, true);
    if (id === undefined || id.length > 4) break;
    const size = readVint(bytes, offset + id.length, false);
    if (size === undefined) break;
    const start = offset + id.length + size.length;
    if (ENTERED.has(id.value)) {
      if (id.value === ID.trackEntry) tracks.push({});
      offset = start;
      continue;
    }
    if (size.unknown) return undefined;
    const end = start + size.value;
    if (end > bytes.length) break;
    const data = bytes.subarray(start, end);
    const track = tracks.at(-1);
    switch (id.value) {
      case ID.trackNumber:
        if (track !== undefined) track.number = unsigned(data);
        break;
      case ID.trackType:
        if (track !== undefined) track.type = unsigned(data);
        break;
      case ID.codecId:
        if (track !== undefined) track.codec = Buffer.from(data).toString("latin1").replace(/\0+$/, "");
        break;
      case ID.codecPrivate:
        if (track !== undefined) track.codecPrivate = data;
        break;
      case ID.simpleBlock:
      case ID.block: {
        opus ??= opusTrackOf(tracks);
        if (opus === undefined) return undefined;
        const frame = blockFrame(data, opus.number);
        if (frame === null) return undefined;
        if (frame !== undefined) packets.push(frame);
        break;
      }
      case ID.discardPadding:
        discardNs += signed(data);
        break;
    }
    offset = end;
  }
  opus ??= opusTrackOf(tracks);
  return opus === undefined ? undefined : { head: opus.head, packets, endTrim: Math.max(0, Math.round((discardNs * OPUS_RATE) / 1e9)) };
}

function unsigned(data: Uint8Array): number {
  let value = 0;
  for (const byte of data) value = value * 256 + byte;
  return value;
}

function signed(data: Uint8Array): number {
  const value = unsigned(data);
  return data.length > 0 && data.length <= 6 && data[0]! >= 0x80 ? value - 2 ** (8 * data.length) : value;
}

/** The one Opus track, when the file has exactly one audio track, it is Opus, and there is no video. */
function opusTrackOf(tracks: readonly TrackEntry[]): { number: number; head: OpusHead } | undefined {
  if (tracks.some((t) => t.type === TRACK_TYPE_VIDEO)) return undefined;
  const audio = tracks.filter((t) => t.type === TRACK_TYPE_AUDIO);
  const track = audio[0];
  if (audio.length !== 1 || track?.codec !== "A_OPUS" || track.number === undefined || track.codecPrivate === undefined) return undefined;
  const head = parseOpusHead(track.codecPrivate);
  return head === undefined ? undefined : { number: track.number, head };
}

/**
 * The frame of a (Simple)Block on `trackNumber`: undefined for another track, null when the block is
 * laced (several frames; left to ffmpeg) or malformed.
 */
function blockFrame(data: Uint8Array, trackNumber: number): Uint8Array | undefined | null {
  const track = readVint(data, 0, false);
  if (track === undefined || data.length < track.length + 3) return null;
  if (track.value !== trackNumber) return undefined;
  const flags = data[track.length + 2]!;
  if ((flags & 0x06) !== 0) return null;
  return data.subarray(track.length + 3);
}
