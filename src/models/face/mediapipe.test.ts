// MediaPipe's face networks converted to ONNX, checked for parity with Google's TFLite interpreter (the
// wasm build in the @tensorflow/tfjs-tflite dev dependency): the mesh on real face crops, one by one
// against a batch of all, and the blendshapes on the reference meshes' 146-point subsets. Skipped, with
// a message, when the .task bundle is not installed or the shared samples are absent. The zip reader is
// checked on a hand-made zip first, which needs neither.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InferenceSession, Tensor } from "onnxruntime-node";
import sharp from "sharp";
import { loadTfliteReference, type TfliteReference } from "../../../tests/support/tflite-reference.js";
import { sharedDirectory } from "../../runtime/paths.js";
import { readTflite } from "../../runtime/tflite.js";
import {
  BLENDSHAPE_LANDMARKS, BLENDSHAPE_NAMES, BLENDSHAPES_MEMBER, blendshapesOnnx, faceMeshOnnx, MESH_MEMBER, zipMember,
} from "./mediapipe.js";
import { faceModelFiles, readFaceConfig } from "./config.js";
import { MESH_FLOATS } from "./mesh.js";

/** A zip of one member as `method` says, its bytes written as they are (no compressor needed to be refused). */
function zipOf(name: string, data: Uint8Array, method: number): Uint8Array {
  const fileName = new TextEncoder().encode(name);
  const local = new DataView(new ArrayBuffer(30));
  local.setUint32(0, 0x04034b50, true);
  local.setUint16(8, method, true);
  local.setUint32(18, data.length, true);
  local.setUint32(22, data.length, true);
  local.setUint16(26, fileName.length, true);
  const directory = new DataView(new ArrayBuffer(46));
  directory.setUint32(0, 0x02014b50, true);
  directory.setUint16(10, method, true);
  directory.setUint32(20, data.length, true);
  directory.setUint32(24, data.length, true);
  directory.setUint16(28, fileName.length, true);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, 1, true);
  end.setUint16(10, 1, true);
  end.setUint32(12, 46 + fileName.length, true);
  end.setUint32(16, 30 + fileName.length + data.length, true);
  return new Uint8Array(Buffer.concat([new Uint8Array(local.buffer), fileName, data, new Uint8Array(directory.buffer), fileName, new Uint8Array(end.buffer)]));
}

describe("zipMember", () => {
  const bytes = Uint8Array.of(1, 2, 3, 4, 5);

  it("returns a stored member's bytes", () => {
    assert.deepEqual(zipMember(zipOf("a.tflite", bytes, 0), "a.tflite"), bytes);
  });

  it("refuses compressed and missing members, and what is not a zip", () => {
    assert.throws(() => zipMember(zipOf("a.tflite", bytes, 8), "a.tflite"), /compressed \(method 8\)/);
    assert.throws(() => zipMember(zipOf("a.tflite", bytes, 0), "b.tflite"), /no member b\.tflite/);
    assert.throws(() => zipMember(bytes, "a.tflite"), /not a zip/);
  });
});

const FACES = `${sharedDirectory()}samples/`;
/**
 * Square face crops (left, top, side in source pixels): YuNet's box for each face, widened 1.4 times
 * about its centre, near what MediaPipe's face detector hands the mesh.
 */
const CROPS: [file: string, left: number, top: number, side: number][] = [
  ["faces/biden.jpg", 286, 96, 561],
  ["faces/obama.jpg", 262, 24, 460],
  ["faces/obama2.jpg", 55, 147, 568],
  ["astronaut.png", 147, 41, 155],
];
const SIZE = 256;
const CROP_FLOATS = SIZE * SIZE * 3;
const TASK = faceModelFiles(readFaceConfig()).mesh;
const SKIP = !existsSync(TASK)
  ? `the MediaPipe bundle is not installed (${TASK}; npm run fetch-models)`
  : !existsSync(`${FACES}${CROPS[0]![0]}`) ? `the shared face samples are absent (${FACES}): set MOODWIRE_SHARED` : false;
if (SKIP !== false) console.log(`# MediaPipe conversion parity skipped: ${SKIP}`);

describe("MediaPipe face networks converted to ONNX", { skip: SKIP }, () => {
  let task: Uint8Array;
  let folder: string;
  let meshReference: TfliteReference;
  let shapesReference: TfliteReference;
  const crops: Float32Array[] = [];
  /** The interpreter's outputs per crop. */
  const meshes: Float32Array[] = [];
  const presences: number[] = [];

  before(async () => {
    task = new Uint8Array(readFileSync(TASK));
    // The interpreter takes a file path.
    folder = mkdtempSync(join(tmpdir(), "moodwire-mediapipe-"));
    for (const member of [MESH_MEMBER, BLENDSHAPES_MEMBER]) writeFileSync(join(folder, member), zipMember(task, member));
    meshReference = await loadTfliteReference(join(folder, MESH_MEMBER));
    shapesReference = await loadTfliteReference(join(folder, BLENDSHAPES_MEMBER));
    for (const [file, left, top, side] of CROPS) {
      const pixels = await sharp(`${FACES}${file}`).removeAlpha().extract({ left, top, width: side, height: side }).resize(SIZE, SIZE).raw().toBuffer();
      const crop = Float32Array.from(pixels, (v) => v / 255);
      const outputs = meshReference.run(crop, [1, SIZE, SIZE, 3]);
      crops.push(crop);
      meshes.push(outputs.Identity!);
      presences.push(outputs.Identity_1![0]!);
    }
  });

  after(() => {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it("reads both members: the mesh's image input, the blendshape network's 146 points and 52 scores", () => {
    const mesh = readTflite(zipMember(task, MESH_MEMBER));
    assert.deepEqual(mesh.inputs.map((i) => mesh.tensors[i]!.shape), [[1, SIZE, SIZE, 3]]);
    const shapes = readTflite(zipMember(task, BLENDSHAPES_MEMBER));
    assert.equal(BLENDSHAPE_LANDMARKS.length, 146);
    assert.deepEqual(shapes.inputs.map((i) => shapes.tensors[i]!.shape), [[1, BLENDSHAPE_LANDMARKS.length, 2]]);
    assert.deepEqual(shapes.outputs.map((i) => shapes.tensors[i]!.shape), [[BLENDSHAPE_NAMES.length]]);
  });

  it("finds the mesh of every crop as the TFLite interpreter does, batched in one run", async (t) => {
    const session = await InferenceSession.create(faceMeshOnnx(task));
    const batch = new Float32Array(crops.length * CROP_FLOATS);
    crops.forEach((crop, n) => batch.set(crop, n * CROP_FLOATS));
    const result = await session.run({ image: new Tensor("float32", batch, [crops.length, SIZE, SIZE, 3]) });
    assert.deepEqual(result.landmarks!.dims, [crops.length, 1, 1, MESH_FLOATS]);
    const landmarks = result.landmarks!.data as Float32Array;
    const presence = result.presence!.data as Float32Array;
    let worst = 0;
    let worstPresence = 0;
    meshes.forEach((mesh, n) => {
      for (let k = 0; k < MESH_FLOATS; k++) worst = Math.max(worst, Math.abs(landmarks[n * MESH_FLOATS + k]! - mesh[k]!));
      worstPresence = Math.max(worstPresence, Math.abs(presence[n]! - presences[n]!));
      // A logit: every crop holds a face, sure.
      assert.ok(presences[n]! > 5, `${CROPS[n]![0]}: presence logit ${presences[n]}`);
    });
    t.diagnostic(`largest landmark difference ${worst} px, presence logit difference ${worstPresence}`);
    assert.ok(worst < 0.05, `largest landmark difference ${worst} px`);
    assert.ok(worstPresence < 1e-3, `largest presence difference ${worstPresence}`);
    const blank = await session.run({ image: new Tensor("float32", new Float32Array(CROP_FLOATS).fill(0.5), [1, SIZE, SIZE, 3]) });
    assert.ok((blank.presence!.data as Float32Array)[0]! < 0, "a blank crop's presence logit is negative");
  });

  it("scores the blendshapes of every reference mesh as the TFLite interpreter does, batched in one run", async (t) => {
    const session = await InferenceSession.create(blendshapesOnnx(task));
    const subset = BLENDSHAPE_LANDMARKS.length;
    const points = new Float32Array(meshes.length * subset * 2);
    meshes.forEach((mesh, n) => BLENDSHAPE_LANDMARKS.forEach((index, k) => points.set(mesh.subarray(index * 3, index * 3 + 2), (n * subset + k) * 2)));
    const result = await session.run({ points: new Tensor("float32", points, [meshes.length, subset, 2]) });
    assert.deepEqual(result.blendshapes!.dims, [meshes.length, BLENDSHAPE_NAMES.length]);
    const scores = result.blendshapes!.data as Float32Array;
    let worst = 0;
    meshes.forEach((_, n) => {
      const expected = shapesReference.run(points.subarray(n * subset * 2, (n + 1) * subset * 2), [1, subset, 2])["StatefulPartitionedCall:0"]!;
      for (let k = 0; k < BLENDSHAPE_NAMES.length; k++) worst = Math.max(worst, Math.abs(scores[n * BLENDSHAPE_NAMES.length + k]! - expected[k]!));
    });
    t.diagnostic(`largest blendshape difference ${worst}`);
    assert.ok(worst < 1e-3, `largest blendshape difference ${worst}`);
  });
});
