// Opus decoding in-process (libopus compiled to wasm, npm `opus-decoder`), straight to 16 kHz: libopus
// decodes at any of its internal rates, so there is no resampling step. Used for the containers whose
// packets Moodwire reads itself (./webm.ts, ./ogg.ts); starting an ffmpeg process costs more than
// decoding a short payload.

import { OpusDecoder } from "opus-decoder";
import { AUDIO_SAMPLE_RATE, clampSample } from "./types.js";

/** The Opus identification header (RFC 7845 §5.1), as carried in Matroska's CodecPrivate. */
export interface OpusHead {
  channels: number;
  /** Samples at 48 kHz to drop from the start (encoder delay). */
  preSkip: number;
  streamCount: number;
  coupledStreamCount: number;
  channelMapping: number[];
}

/** Opus timestamps and pre-skip count samples at 48 kHz whatever rate is decoded. */
export const OPUS_RATE = 48_000;

/** Parses an OpusHead; undefined for anything this decoder would not decode exactly (output gain too). */
export function parseOpusHead(data: Uint8Array): OpusHead | undefined {
  if (data.length < 19 || Buffer.from(data.subarray(0, 8)).toString("latin1") !== "OpusHead") return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const channels = data[9]!;
  const preSkip = view.getUint16(10, true);
  const outputGain = view.getInt16(16, true);
  const family = data[18]!;
  // Mapping family 0 is mono or stereo; surround layouts are downmixed by ffmpeg's matrix instead.
  if (family !== 0 || channels === 0 || channels > 2 || outputGain !== 0) return undefined;
  return { channels, preSkip, streamCount: 1, coupledStreamCount: channels - 1, channelMapping: channels === 1 ? [0] : [0, 1] };
}

/** Frame durations in 48 kHz samples by TOC configuration (RFC 6716 §3.1): SILK, hybrid, CELT. */
const FRAME_SAMPLES = [
  480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880,
  480, 960, 480, 960,
  120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960,
];

/** A packet holds at most 120 ms (RFC 6716 §3.2.5). */
const MAX_PACKET_SAMPLES = 5760;

/** The duration of one Opus packet in 48 kHz samples, from its TOC byte; 0 for an empty or invalid one. */
export function opusPacketSamples(packet: Uint8Array): number {
  const toc = packet[0];
  if (toc === undefined) return 0;
  const code = toc & 3;
  const frames = code === 0 ? 1 : code !== 3 ? 2 : (packet[1] ?? 0) & 0x3f;
  const samples = frames * FRAME_SAMPLES[toc >> 3]!;
  return samples <= MAX_PACKET_SAMPLES ? samples : 0;
}

/** Opus packets with what to drop around them. */
export interface OpusStream {
  head: OpusHead;
  packets: readonly Uint8Array[];
  /** Samples at 48 kHz to drop from the end (encoder padding). */
  endTrim: number;
}

/** Samples at 48 kHz the stream plays for: its packets less the pre-skip and the end trim. */
function playedSamples(stream: OpusStream): number {
  let samples = 0;
  for (const packet of stream.packets) samples += opusPacketSamples(packet);
  return Math.max(0, samples - stream.head.preSkip - stream.endTrim);
}

/** Milliseconds of audio in the stream. */
export function opusDurationMs(stream: OpusStream): number {
  return (playedSamples(stream) / OPUS_RATE) * 1000;
}

/**
 * Runs `decode` with console.error muted: opus-decoder prints a line for every corrupt packet, so one
 * hostile payload could flood the server's log.
 */
function quietly<T>(decode: () => T): T {
  const print = console.error;
  console.error = () => {};
  try {
    return decode();
  } finally {
    console.error = print;
  }
}

/** Decodes the stream to 16 kHz mono float32. */
export async function decodeOpus(stream: OpusStream): Promise<Float32Array> {
  const { head } = stream;
  const rate = AUDIO_SAMPLE_RATE / OPUS_RATE;
  // The pre-skip is applied here rather than by the decoder, which would count it at the output rate.
  const decoder = new OpusDecoder({
    sampleRate: AUDIO_SAMPLE_RATE,
    channels: head.channels,
    streamCount: head.streamCount,
    coupledStreamCount: head.coupledStreamCount,
    channelMappingTable: head.channelMapping,
  });
  try {
    await decoder.ready;
    const length = Math.round(playedSamples(stream) * rate);
    const mono = new Float32Array(length);
    // ffmpeg's -ac 1 mixes stereo as (L + R) / √2; the same here, so both paths give the same level.
    const weight = head.channels === 1 ? 1 : Math.SQRT1_2;
    let position = -Math.round(head.preSkip * rate);
    quietly(() => {
      for (const packet of stream.packets) {
        if (position >= length) break;
        const { channelData, samplesDecoded } = decoder.decodeFrame(packet);
        // A packet libopus refuses stays silent for its duration, so what follows keeps its time.
        const count = samplesDecoded > 0 ? samplesDecoded : Math.round(opusPacketSamples(packet) * rate);
        for (const channel of samplesDecoded > 0 ? channelData : []) {
          for (let i = Math.max(0, -position); i < count && position + i < length; i++) mono[position + i]! += channel[i]! * weight;
        }
        position += count;
      }
    });
    for (let i = 0; i < length; i++) mono[i] = clampSample(mono[i]!);
    return mono.subarray(0, Math.max(0, Math.min(length, position)));
  } finally {
    decoder.free();
  }
}
