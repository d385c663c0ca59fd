// Media kind detection from the first bytes (spec §2.6). Cheap: never decodes.

export type SniffedKind = "image" | "audio" | "video";

export interface Sniffed {
  kind: SniffedKind;
  /** Short container name: jpeg, png, webp, gif, bmp, tiff, avif, heic, wav, mp3, aac, ogg, flac, m4a, aiff, amr, webm, matroska, mp4, mov, avi, mpegts, asf. */
  container: string;
}

/** How far into an EBML/Ogg file the track headers are looked for. */
const HEADER_SCAN_BYTES = 64 * 1024;

function ascii(bytes: Uint8Array, start: number, length: number): string {
  if (bytes.length < start + length) return "";
  let out = "";
  for (let i = start; i < start + length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[offset + i] !== prefix[i]) return false;
  return true;
}

function includesAscii(bytes: Buffer, needle: string, limit = HEADER_SCAN_BYTES): boolean {
  return bytes.subarray(0, limit).includes(needle, 0, "latin1");
}

// --- MPEG audio frame headers -------------------------------------------------------------------

const MPEG_BITRATES_KBPS: Readonly<Record<string, readonly number[]>> = {
  // [version][layer]: version 1 = MPEG-1, 2 = MPEG-2/2.5; layer 1..3
  "1-1": [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  "1-2": [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  "1-3": [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  "2-1": [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  "2-2": [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  "2-3": [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MPEG_SAMPLE_RATES: Readonly<Record<number, readonly number[]>> = {
  3: [44100, 48000, 32000], // MPEG-1
  2: [22050, 24000, 16000], // MPEG-2
  0: [11025, 12000, 8000], // MPEG-2.5
};

/** Length in bytes of the MPEG audio frame starting at `offset`, or 0 when no valid header is there. */
function mpegFrameLength(bytes: Uint8Array, offset: number): number {
  if (bytes.length < offset + 4) return 0;
  const b1 = bytes[offset + 1]!;
  const b2 = bytes[offset + 2]!;
  if (bytes[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) return 0;
  const versionBits = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  if (versionBits === 1 || layerBits === 0) return 0;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return 0;
  const layer = 4 - layerBits;
  const version = versionBits === 3 ? 1 : 2;
  const bitrate = MPEG_BITRATES_KBPS[`${version}-${layer}`]![bitrateIndex]! * 1000;
  const sampleRate = MPEG_SAMPLE_RATES[versionBits]![rateIndex]!;
  const padding = (b2 >> 1) & 1;
  if (layer === 1) return (Math.floor((12 * bitrate) / sampleRate) + padding) * 4;
  const samplesPerFrame = layer === 3 && version === 2 ? 576 : 1152;
  return Math.floor((samplesPerFrame / 8) * bitrate / sampleRate) + padding;
}

function isMpegAudio(bytes: Uint8Array): boolean {
  const first = mpegFrameLength(bytes, 0);
  if (first === 0) return false;
  // A lone frame header can be chance (a UTF-16 BOM is one): require the next frame too, or data
  // that ends exactly with the first frame.
  if (bytes.length < first + 4) return bytes.length >= first;
  return mpegFrameLength(bytes, first) > 0;
}

function isAdts(bytes: Uint8Array): boolean {
  if (bytes.length < 7 || bytes[0] !== 0xff || (bytes[1]! & 0xf6) !== 0xf0) return false;
  if (((bytes[2]! >> 2) & 0xf) > 12) return false;
  const length = ((bytes[3]! & 3) << 11) | (bytes[4]! << 3) | (bytes[5]! >> 5);
  if (length < 7) return false;
  if (bytes.length < length + 2) return true;
  return bytes[length] === 0xff && (bytes[length + 1]! & 0xf6) === 0xf0;
}

// --- Containers ---------------------------------------------------------------------------------

const AUDIO_BRANDS = new Set(["M4A ", "M4B ", "M4P ", "F4A ", "F4B "]);
const IMAGE_BRANDS = new Set(["avif", "avis"]);
const HEIC_BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"]);
const QUICKTIME_ATOMS = new Set(["moov", "mdat", "wide", "pnot", "skip", "free"]);

function sniffIsoBmff(bytes: Buffer): Sniffed | undefined {
  const atom = ascii(bytes, 4, 4);
  if (atom === "ftyp") {
    const brand = ascii(bytes, 8, 4);
    if (AUDIO_BRANDS.has(brand)) return { kind: "audio", container: "m4a" };
    if (IMAGE_BRANDS.has(brand)) return { kind: "image", container: "avif" };
    if (HEIC_BRANDS.has(brand)) return { kind: "image", container: "heic" };
    if (brand === "qt  ") return { kind: "video", container: "mov" };
    return { kind: "video", container: "mp4" };
  }
  if (QUICKTIME_ATOMS.has(atom)) {
    const size = bytes.readUInt32BE(0);
    // A plausible atom size (0 = to end of file, 1 = 64-bit size follows).
    if (size === 0 || size === 1 || size >= 8) return { kind: "video", container: "mov" };
  }
  return undefined;
}

/** Matroska/WebM: a video track if any video codec id appears in the headers; audio if only audio ones. */
function sniffEbml(bytes: Buffer): Sniffed {
  const container = includesAscii(bytes, "webm", 64) ? "webm" : "matroska";
  const head = bytes.subarray(0, HEADER_SCAN_BYTES);
  let hasAudio = false;
  // CodecID element: id 0x86, a one-byte size (0x80 | length), then the ASCII codec id.
  for (let i = head.indexOf(0x86); i >= 0 && i + 4 <= head.length; i = head.indexOf(0x86, i + 1)) {
    const size = head[i + 1]!;
    if (size < 0x83 || size > 0xc0) continue;
    const prefix = ascii(head, i + 2, 2);
    if (prefix === "V_") return { kind: "video", container };
    if (prefix === "A_") hasAudio = true;
  }
  // Unsure (no codec ids seen): call it video; decodeMedia falls back to audio when there is no video stream.
  return { kind: hasAudio ? "audio" : "video", container };
}

function sniffOgg(bytes: Buffer): Sniffed {
  // Every stream's first (BOS) page comes before any data, so a Theora header is near the start.
  const video = includesAscii(bytes, "\x80theora");
  return { kind: video ? "video" : "audio", container: "ogg" };
}

const BMP_DIB_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

function isBmp(bytes: Buffer): boolean {
  if (bytes.length < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) return false;
  return BMP_DIB_HEADER_SIZES.has(bytes.readUInt32LE(14)) && bytes.readUInt32LE(10) >= 26;
}

function isMpegTs(bytes: Uint8Array): boolean {
  return bytes.length >= 376 && bytes[0] === 0x47 && bytes[188] === 0x47 && (bytes.length < 565 || bytes[376] === 0x47);
}

const ASF_GUID = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11];

/** The media kind and container of `bytes`, or undefined when they are no known binary format. */
export function sniffMedia(bytes: Buffer): Sniffed | undefined {
  if (bytes.length < 4) return undefined;
  const magic4 = ascii(bytes, 0, 4);
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: "image", container: "jpeg" };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: "image", container: "png" };
  if (magic4 === "GIF8" && (ascii(bytes, 4, 2) === "7a" || ascii(bytes, 4, 2) === "9a")) return { kind: "image", container: "gif" };
  if (magic4 === "II*\0" || magic4 === "MM\0*") return { kind: "image", container: "tiff" };
  if (magic4 === "RIFF" || magic4 === "RIFX" || magic4 === "RF64") {
    const form = ascii(bytes, 8, 4);
    if (form === "WEBP" && magic4 === "RIFF") return { kind: "image", container: "webp" };
    if (form === "WAVE") return { kind: "audio", container: "wav" };
    if (form === "AVI " || form === "AVIX") return { kind: "video", container: "avi" };
    return undefined;
  }
  if (isBmp(bytes)) return { kind: "image", container: "bmp" };
  if (magic4 === "fLaC") return { kind: "audio", container: "flac" };
  if (magic4 === "OggS") return sniffOgg(bytes);
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return sniffEbml(bytes);
  if (magic4 === "FORM" && (ascii(bytes, 8, 4) === "AIFF" || ascii(bytes, 8, 4) === "AIFC")) return { kind: "audio", container: "aiff" };
  if (ascii(bytes, 0, 5) === "#!AMR") return { kind: "audio", container: "amr" };
  if (startsWith(bytes, ASF_GUID)) return { kind: "video", container: "asf" };
  if (bytes.length >= 12) {
    const iso = sniffIsoBmff(bytes);
    if (iso !== undefined) return iso;
  }
  // ID3v2: version 2–4, then flags and a 28-bit "syncsafe" size (each byte < 0x80).
  if (ascii(bytes, 0, 3) === "ID3" && bytes.length >= 10 && bytes[3]! >= 2 && bytes[3]! <= 4 && bytes[4]! < 0xff &&
      bytes[6]! < 0x80 && bytes[7]! < 0x80 && bytes[8]! < 0x80 && bytes[9]! < 0x80) {
    return { kind: "audio", container: "mp3" };
  }
  if (isMpegAudio(bytes)) return { kind: "audio", container: "mp3" };
  if (isAdts(bytes)) return { kind: "audio", container: "aac" };
  if (isMpegTs(bytes)) return { kind: "video", container: "mpegts" };
  return undefined;
}

/** The ffmpeg demuxer for a sniffed container (`-f`), so ffmpeg never guesses (no playlists or scripts). */
export const FFMPEG_DEMUXERS: Readonly<Record<string, string>> = {
  wav: "wav",
  mp3: "mp3",
  aac: "aac",
  ogg: "ogg",
  flac: "flac",
  m4a: "mov",
  mp4: "mov",
  mov: "mov",
  webm: "matroska",
  matroska: "matroska",
  aiff: "aiff",
  amr: "amr",
  avi: "avi",
  mpegts: "mpegts",
  asf: "asf",
  bmp: "bmp_pipe",
};

/** Containers whose demuxer may need to seek (index at the end), decoded from a private temp file. */
export const SEEKING_CONTAINERS: ReadonlySet<string> = new Set(["m4a", "mp4", "mov", "avi", "asf"]);
export const ISO_BMFF_CONTAINERS: ReadonlySet<string> = new Set(["m4a", "mp4", "mov"]);

/**
 * Whether ffmpeg must be able to seek in these bytes of `container`: true for the seeking containers,
 * except an MP4/MOV whose index (`moov`) comes before its media (`mdat`): "fast start" and fragmented
 * files (what browsers record) demux from a pipe.
 */
export function needsSeeking(bytes: Buffer, container: string): boolean {
  if (!SEEKING_CONTAINERS.has(container)) return false;
  if (!ISO_BMFF_CONTAINERS.has(container)) return true;
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    const type = ascii(bytes, offset + 4, 4);
    if (type === "moov") return false;
    if (type === "mdat") return true;
    const box = isoBoxSize(bytes, offset, bytes.length);
    // A header cut short or a size below a header: no more atoms to read.
    if (box === undefined) return true;
    offset += box.size;
  }
  return true;
}

/**
 * The size and header length of the ISO BMFF box (MP4/MOV atom) at `offset`, reading no further than
 * `end`: a 32-bit size, 1 for a 64-bit size after the type, or 0 for "to `end`". Undefined when the
 * header is cut short or the size is below the header's own length. The box may claim to end past `end`.
 */
export function isoBoxSize(bytes: Buffer, offset: number, end: number): { size: number; header: number } | undefined {
  const size32 = bytes.readUInt32BE(offset);
  let box = { size: size32, header: 8 };
  if (size32 === 1) {
    if (offset + 16 > end) return undefined;
    box = { size: Number(bytes.readBigUInt64BE(offset + 8)), header: 16 };
  } else if (size32 === 0) {
    box = { size: end - offset, header: 8 };
  }
  return box.size < box.header ? undefined : box;
}
