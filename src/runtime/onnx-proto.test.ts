// The ONNX writer against onnxruntime itself: a graph written here loads and computes what it says.

import assert from "node:assert/strict";
import { it } from "node:test";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { encodeOnnxModel } from "./onnx-proto.js";

it("writes a model onnxruntime loads and runs: initialisers, attributes, a symbolic batch", async () => {
  const bytes = encodeOnnxModel({
    name: "affine",
    opset: 13,
    nodes: [
      { op: "MatMul", inputs: ["x", "w"], outputs: ["xw"] },
      { op: "Add", inputs: ["xw", "b"], outputs: ["sum"] },
      { op: "ReduceMean", inputs: ["sum"], outputs: ["mean"], attributes: { axes: [1], keepdims: 0 } },
      { op: "Identity", inputs: ["sum"], outputs: ["y"] },
    ],
    initializers: [
      { name: "w", dims: [2, 3], data: Float32Array.of(1, 0, -1, 0, 1, 2) },
      { name: "b", dims: [3], data: Float32Array.of(0.5, -0.5, 0) },
    ],
    inputs: [{ name: "x", dims: ["batch", 2] }],
    outputs: [{ name: "y", dims: ["batch", 3] }, { name: "mean", dims: ["batch"] }],
  });
  const session = await InferenceSession.create(bytes);
  const result = await session.run({ x: new Tensor("float32", Float32Array.of(1, 2, 3, -1), [2, 2]) });
  assert.deepEqual(Array.from(result.y!.data as Float32Array), [1.5, 1.5, 3, 3.5, -1.5, -5]);
  assert.deepEqual(Array.from(result.mean!.data as Float32Array).map((v) => Math.round(v * 1e6) / 1e6), [2, -1]);
});
