// The TFLite runtime as a test oracle: Google's own interpreter (compiled to wasm in the
// @tensorflow/tfjs-tflite dev dependency) runs a .tflite file so that converted graphs can be checked
// against it. That package is written for browsers: the shims below give it what it looks for in a
// page (self, location, importScripts, fetch of local files) and pick its single-threaded build.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { runInThisContext } from "node:vm";

const require = createRequire(import.meta.url);

export interface TfliteReference {
  /** Runs one example (batch 1); outputs by tensor name. */
  run(input: Float32Array, shape: number[]): Record<string, Float32Array>;
}

let shimmed = false;

function shimBrowserGlobals(): void {
  if (shimmed) return;
  shimmed = true;
  const g = globalThis as Record<string, unknown>;
  g.self = globalThis;
  g.location = { origin: "", href: "" };
  g.require = require;
  g.importScripts = (path: string) => runInThisContext(readFileSync(path.replace("_threaded.js", ".js"), "utf8"));
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    const target = String(url);
    if (!target.startsWith("/")) return realFetch(url, init);
    return new Response(readFileSync(target), { headers: { "content-type": "application/wasm" } });
  };
}

export async function loadTfliteReference(modelPath: string): Promise<TfliteReference> {
  shimBrowserGlobals();
  const tf = require("@tensorflow/tfjs-core") as typeof import("@tensorflow/tfjs-core");
  require("@tensorflow/tfjs-backend-cpu");
  const tflite = require("@tensorflow/tfjs-tflite") as typeof import("@tensorflow/tfjs-tflite");
  await tf.setBackend("cpu");
  tflite.setWasmPath(`${dirname(require.resolve("@tensorflow/tfjs-tflite/package.json"))}/wasm/`);
  const bytes = readFileSync(modelPath);
  const model = await tflite.loadTFLiteModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer, { numThreads: 1 });
  return {
    run(input, shape) {
      type Tensor = import("@tensorflow/tfjs-core").Tensor;
      // A model with one output answers with the tensor itself, not a record.
      const predicted = model.predict(tf.tensor(input, shape)) as Tensor | Record<string, Tensor>;
      const outputs = predicted instanceof tf.Tensor ? { [model.outputs[0]!.name]: predicted } : predicted;
      // Copies: a later run may overwrite what dataSync() returned.
      return Object.fromEntries(Object.entries(outputs).map(([name, tensor]) => [name, (tensor.dataSync() as Float32Array).slice()]));
    },
  };
}
