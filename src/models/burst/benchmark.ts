// The burst model's benchmarks, reached through burstModel.benchmark():
// * `burst`: 5 s 16 kHz mono WAV of speech, burst only;
// * `audio` (alias `prosody-burst`): the same WAVs with prosody and burst on each payload, what a voice
//   client asks for (bar: e2e p50 ≤ 80 ms for both together).
// Cut from the shared speech sample like the prosody benchmarks; without it the benchmark is unavailable.

import type { BenchmarkFigures, BenchmarkRunner, ModelBenchmark } from "../benchmark.js";
import { cut, CUTS, decodedClips, prosodyKernelAlone, speechSample } from "../prosody/benchmark.js";
import { BurstKernel } from "./kernel.js";

async function kernelsAlone(clips: Buffer[], withProsody: boolean): Promise<BenchmarkRunner> {
  const burst = new BurstKernel();
  await burst.load({ intraOpThreads: 1 });
  const prosody = withProsody ? await prosodyKernelAlone() : undefined;
  const windows = await decodedClips(clips);
  return {
    method: `burst kernel (kernel.js)${withProsody ? " then the prosody kernel" : ""} run([input]) in the bench process on the WAVs decoded beforehand, 1 intra-op thread`,
    run: async (i) => {
      const samples = windows[i % windows.length]!;
      await burst.run([{ samples }]);
      await prosody?.(samples);
    },
    close: async () => undefined,
  };
}

export async function burstBenchmarks(): Promise<ModelBenchmark[]> {
  const source = speechSample();
  const wavs = CUTS.map(([start, seconds]) => cut(source, start, seconds, ["-c:a", "pcm_s16le", "-f", "wav"]));
  const messages = (models: Record<string, Record<string, never>>) => wavs.map((clip) => ({ data: clip.toString("base64"), models }));
  return [
    {
      scenarios: ["burst"],
      messages: messages({ burst: {} }),
      inputs: { audio: "2 distinct 5 s 16 kHz mono WAVs of speech (shared samples), burst: {}" },
      modelAlone: () => kernelsAlone(wavs, false),
    },
    {
      scenarios: ["audio", "prosody-burst"],
      messages: messages({ prosody: {}, burst: {} }),
      inputs: { audio: "the same WAVs, prosody: {} and burst: {} on each payload" },
      modelAlone: () => kernelsAlone(wavs, true),
      bars: (figures: BenchmarkFigures) => ({ issue18_prosody_and_burst_wav_5s_e2e_p50_le_80ms: figures.e2eP50Ms <= 80 }),
    },
  ];
}
