// The facemesh model's benchmark, reached through facemeshModel.benchmark(): `facemesh`, payloads of one
// face's landmarks (478 × 3) as the Python SDK sends them (raw JSON), meshed from the shared sample
// photos by the face model's networks (./sample-meshes.ts), half in pixels and half normalised as
// MediaPipe clients send them (bar: e2e p50 ≤ 5 ms). Without the shared samples it is unavailable.

import type { BenchmarkFigures, BenchmarkMessage, BenchmarkRunner, ModelBenchmark } from "../benchmark.js";
import type { Placement } from "../face/sample-media.js";
import { FacemeshKernel } from "./kernel.js";
import { normalisedMesh, sampleMeshes } from "./sample-meshes.js";

const PLACEMENTS: readonly Placement[] = [
  { sample: "astronaut.png", width: 480, left: 80, top: 0 },
  { sample: "faces/obama.jpg", width: 360, left: 140, top: 10 },
  { sample: "faces/obama2.jpg", width: 300, left: 200, top: 0, flop: true },
  { sample: "faces/biden.jpg", width: 420, left: 110, top: 0 },
];

export async function facemeshBenchmarks(): Promise<ModelBenchmark> {
  const pixels = await sampleMeshes(PLACEMENTS);
  const faces = [...pixels, ...pixels.map(normalisedMesh)];
  const messages: BenchmarkMessage[] = faces.map((face) => ({ data: JSON.stringify([face]), models: { facemesh: {} } }));
  return {
    scenarios: ["facemesh"],
    messages,
    inputs: { facemesh: "8 one-face landmark payloads (478 × 3, raw JSON): 4 sample faces in pixels, the same normalised" },
    defaults: { connections: 8, payloads: 5000 },
    modelAlone: async (): Promise<BenchmarkRunner> => {
      const kernel = new FacemeshKernel();
      await kernel.load({ intraOpThreads: 1 });
      const inputs = faces.map((face) => ({ faces: [Float32Array.from(face.flat())] }));
      return {
        method: "facemesh kernel (kernel.js) run([input]) in the bench process on the parsed landmarks, 1 intra-op thread",
        run: (i) => kernel.run([inputs[i % inputs.length]!]),
        close: async () => undefined,
      };
    },
    bars: (figures: BenchmarkFigures) => ({ issue16_facemesh_e2e_p50_le_5ms: figures.e2eP50Ms <= 5 }),
  };
}
