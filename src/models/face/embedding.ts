// Face identity embedding: the HSE FaceRes network shipped in @vladmandic/human's npm package (1024-d
// descriptor), run by tfjs on its wasm backend (tfjs-node cannot install offline). Loaded only by kernels
// whose model config asks for identities; the network reads 224×224 RGB crops aligned like the classifier's.

import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { boundedRuns } from "../../runtime/bounded-runs.js";

export const EMBEDDING_INPUT_SIZE = 224;
const DESCRIPTOR_LENGTH = 1024;
/** The descriptor is an inner node (the graph's outputs are its age and gender heads). */
const DESCRIPTOR_NODE = "global_pooling/Mean";
/** Most crops in one embedder run: the wasm heap never shrinks, so the largest run sets it for good. */
const EMBEDDER_RUN_SIZE = 8;

type Tf = typeof import("@tensorflow/tfjs-core");
type GraphModel = import("@tensorflow/tfjs-converter").GraphModel;

/** Where Human's model files live inside the installed package (its exports map hides them). */
export function embeddingModelDirectory(): string {
  return `${dirname(dirname(fileURLToPath(import.meta.resolve("@vladmandic/human"))))}/models/`;
}

/**
 * One of @vladmandic/human's tfjs graph models (models/<name>.json and its weight files) on the wasm
 * backend, read from disk (tfjs's own loader would fetch over HTTP, and its wasm from a CDN).
 */
export async function loadHumanModel(name: string): Promise<{ tf: Tf; model: GraphModel }> {
  const tf = await import("@tensorflow/tfjs-core");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const converter = await import("@tensorflow/tfjs-converter");
  wasm.setWasmPaths(`${dirname(fileURLToPath(import.meta.resolve("@tensorflow/tfjs-backend-wasm")))}/`);
  await tf.setBackend("wasm");
  await tf.ready();
  const directory = embeddingModelDirectory();
  const json = JSON.parse(readFileSync(`${directory}${name}.json`, "utf8")) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: import("@tensorflow/tfjs-core").io.WeightsManifestEntry[] }[];
  };
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const weightData = Buffer.concat(json.weightsManifest.flatMap((group) => group.paths.map((path) => readFileSync(`${directory}${path}`))));
  const model = await converter.loadGraphModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) }),
  );
  return { tf, model };
}

export class FaceEmbedder {
  private constructor(
    private readonly tf: Tf,
    private readonly model: GraphModel,
  ) {}

  static async load(): Promise<FaceEmbedder> {
    const { tf, model } = await loadHumanModel("faceres");
    return new FaceEmbedder(tf, model);
  }

  /** Unit-length descriptors of `crops` (RGB, EMBEDDING_INPUT_SIZE² each), EMBEDDER_RUN_SIZE at a time. */
  async embed(crops: Uint8Array[]): Promise<Float32Array[]> {
    const { tf } = this;
    const side = EMBEDDING_INPUT_SIZE;
    const runs = await boundedRuns(crops.length, EMBEDDER_RUN_SIZE, async (start, end) => {
      const pixels = new Float32Array((end - start) * side * side * 3);
      for (let i = start; i < end; i++) pixels.set(crops[i]!, (i - start) * side * side * 3);
      const input = tf.tensor4d(pixels, [end - start, side, side, 3]);
      const descriptor = this.model.execute(input, DESCRIPTOR_NODE) as import("@tensorflow/tfjs-core").Tensor;
      input.dispose();
      const data = (await descriptor.data()) as Float32Array;
      descriptor.dispose();
      return Array.from({ length: end - start }, (_, i) => unit(data.subarray(i * DESCRIPTOR_LENGTH, (i + 1) * DESCRIPTOR_LENGTH)));
    });
    return runs.flat();
  }
}

function unit(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return v.map((x) => x / norm);
}
