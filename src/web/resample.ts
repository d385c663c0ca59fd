// Microphone audio comes at the device's rate (often 48 kHz); the server's audio models work at 16 kHz, so
// the page sends 16 kHz and a third of the bytes. Each output sample is the mean of the input samples it
// covers: a box filter, crude but enough to keep speech's aliasing down, and cheap.

export const WIRE_SAMPLE_RATE = 16_000;

/** `input` at `toRate` (returned as it is when it is not faster). */
export function downsample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate <= toRate) return input;
  const ratio = fromRate / toRate;
  const output = new Float32Array(Math.floor(input.length / ratio));
  for (let i = 0; i < output.length; i++) {
    const start = Math.floor(i * ratio);
    const end = Math.min(input.length, Math.floor((i + 1) * ratio));
    let sum = 0;
    for (let j = start; j < end; j++) sum += input[j] ?? 0;
    output[i] = sum / Math.max(1, end - start);
  }
  return output;
}
