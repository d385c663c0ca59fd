// The microphone: an AudioWorklet copies the samples out, and every `chunkMs` they become one 16 kHz mono
// WAV file (the project's own WAV writer), the unit a prosody/burst payload carries, with its length in seconds.

import { encodeWav } from "../client/wav.js";
import { downsample, WIRE_SAMPLE_RATE } from "./resample.js";

export class Microphone {
  private blocks: Float32Array[] = [];
  private samples = 0;

  private constructor(
    private readonly context: AudioContext,
    private readonly stream: MediaStream,
    private readonly chunkMs: number,
    private readonly onChunk: (wav: Uint8Array, seconds: number) => void,
  ) {}

  static async open(chunkMs: number, onChunk: (wav: Uint8Array, seconds: number) => void): Promise<Microphone> {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true }, video: false });
    const context = new AudioContext();
    await context.audioWorklet.addModule("audio-capture.worklet.js");
    const microphone = new Microphone(context, stream, chunkMs, onChunk);
    // No outputs: the node only listens, so nothing is played back.
    const capture = new AudioWorkletNode(context, "capture", { numberOfInputs: 1, numberOfOutputs: 0 });
    capture.port.onmessage = (event: MessageEvent<Float32Array>) => microphone.add(event.data);
    context.createMediaStreamSource(stream).connect(capture);
    await context.resume();
    return microphone;
  }

  private add(block: Float32Array): void {
    this.blocks.push(block);
    this.samples += block.length;
    if (this.samples < (this.context.sampleRate * this.chunkMs) / 1000) return;
    const joined = new Float32Array(this.samples);
    let offset = 0;
    for (const b of this.blocks) {
      joined.set(b, offset);
      offset += b.length;
    }
    this.blocks = [];
    this.samples = 0;
    const rate = Math.min(this.context.sampleRate, WIRE_SAMPLE_RATE);
    this.onChunk(encodeWav(downsample(joined, this.context.sampleRate, rate), rate), joined.length / this.context.sampleRate);
  }

  stop(): void {
    for (const track of this.stream.getTracks()) track.stop();
    void this.context.close();
  }
}
