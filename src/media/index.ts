// Media: payload reading, kind detection and decoding (spec §2.5–2.6, §4, §5).

export * from "./types.js";
export { MediaError } from "./errors.js";
export { readPayload, type MediaPayload } from "./payload.js";
export { decodedBytes, decodeMedia } from "./decode.js";
export { decodeAudio, type DecodeAudioOptions } from "./audio.js";
export { FFMPEG_FORMATS, ffmpegInstalled, setFfmpegConcurrency, stopSpareDecoders } from "./ffmpeg.js";
export { sniffMedia, type Sniffed } from "./sniff.js";
