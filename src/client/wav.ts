// The WAV writer: a canonical RIFF WAVE file (44-byte header) around already-encoded samples, and mono
// float PCM encoded as 16-bit PCM with it. Uint8Array and DataView only, so the client needs no Buffer.

/** The fmt chunk's fields. */
export interface WavFormat {
  /** Format tag: 1 = integer PCM, 3 = IEEE float (any value is written as is). */
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

/**
 * A WAV file: RIFF header, 16-byte fmt chunk and a data chunk holding `data` (interleaved samples).
 * Fields out of their width's range wrap (DataView semantics) rather than throw.
 */
export function wavFile(fmt: WavFormat, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(44 + data.length);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, s: string): void => {
    for (let i = 0; i < s.length; i++) out[offset + i] = s.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + data.length, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, fmt.format, true);
  view.setUint16(22, fmt.channels, true);
  view.setUint32(24, fmt.sampleRate, true);
  view.setUint32(28, (fmt.sampleRate * fmt.channels * fmt.bitsPerSample) / 8, true); // byte rate
  view.setUint16(32, (fmt.channels * fmt.bitsPerSample) / 8, true); // block align
  view.setUint16(34, fmt.bitsPerSample, true);
  ascii(36, "data");
  view.setUint32(40, data.length, true);
  out.set(data, 44);
  return out;
}

/** Encodes mono PCM (float in [-1, 1]) as a 16-bit PCM WAV file. */
export function encodeWav(samples: Float32Array, sampleRate: number): Uint8Array {
  const pcm = new DataView(new ArrayBuffer(samples.length * 2));
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i] ?? 0));
    pcm.setInt16(i * 2, Math.round(s < 0 ? s * 0x8000 : s * 0x7fff), true);
  }
  return wavFile({ format: 1, channels: 1, sampleRate, bitsPerSample: 16 }, new Uint8Array(pcm.buffer));
}
