// The ONNX writer against onnxruntime itself: a graph written here loads and computes what it says.

import assert from "node:assert/strict";
import { it } from "node:test";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { encodeOnnxModel, withSymbolicDims } from "./onnx-proto.js";

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

it("makes a model's fixed input and output dimensions symbolic, so it runs at other sizes", async () => {
  const fixed = encodeOnnxModel({
    name: "pool",
    opset: 13,
    nodes: [
      { op: "MaxPool", inputs: ["x"], outputs: ["pooled"], attributes: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: "Flatten", inputs: ["pooled"], outputs: ["y"], attributes: { axis: 1 } },
    ],
    initializers: [],
    inputs: [{ name: "x", dims: [1, 1, 4, 4] }],
    outputs: [{ name: "y", dims: [1, 4] }],
  });
  const input = new Tensor("float32", Float32Array.from({ length: 8 }, (_, i) => i), [1, 1, 2, 4]);
  await assert.rejects((await InferenceSession.create(fixed)).run({ x: input }), /dimension|shape/i);
  const symbolic = withSymbolicDims(fixed, { x: { 2: "height", 3: "width" }, y: { 1: "cells" } });
  const session = await InferenceSession.create(symbolic);
  const result = await session.run({ x: input });
  assert.deepEqual(Array.from(result.y!.data as Float32Array), [5, 7]);
  // The original size still runs; a model with none of the named values (and no stored shapes) comes back byte for byte.
  assert.equal((await session.run({ x: new Tensor("float32", new Float32Array(16), [1, 1, 4, 4]) })).y!.dims[1], 4);
  assert.deepEqual(withSymbolicDims(fixed, { other: { 0: "n" } }), fixed);
});
