// MediaPipe's FaceLandmarker networks (Google, Apache-2.0) from the pinned face_landmarker.task bundle
// installed by scripts/fetch-models.mjs (models/face/config.json mesh.file names it): the FaceMesh V2
// landmark network and the blendshape network, each read from the bundle (a zip of stored members) and
// converted to ONNX in-process at load (src/runtime/tflite-to-onnx.ts) with a free batch dimension. The landmark subset and blendshape
// names below are MediaPipe's (mediapipe/tasks/cc/vision/face_landmarker/face_blendshapes_graph.cc,
// Apache-2.0); how the outputs are read follows face_landmarks_detector_graph.cc there.

import { encodeOnnxModel } from "../../runtime/onnx-proto.js";
import { tfliteToOnnx } from "../../runtime/tflite-to-onnx.js";
import { readTflite } from "../../runtime/tflite.js";

export const MESH_MEMBER = "face_landmarks_detector.tflite";
export const BLENDSHAPES_MEMBER = "face_blendshapes.tflite";

// Zip records (APPNOTE.TXT 4.3): signatures and the offsets of the fields read here.
const END_OF_DIRECTORY = { signature: 0x06054b50, size: 22, entries: 10, offset: 16 };
const DIRECTORY_ENTRY = { signature: 0x02014b50, size: 46, method: 10, compressedSize: 20, nameLength: 28, extraLength: 30, commentLength: 32, localOffset: 42 };
const LOCAL_HEADER = { signature: 0x04034b50, size: 30, nameLength: 26, extraLength: 28 };
const STORED = 0;

/** The bytes of member `name` of a zip (a .task bundle); only stored (uncompressed) members, as MediaPipe writes them. */
export function zipMember(zip: Uint8Array, name: string): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end-of-directory record closes the file, after a comment of up to 65,535 bytes.
  let end = zip.length - END_OF_DIRECTORY.size;
  while (end >= 0 && view.getUint32(end, true) !== END_OF_DIRECTORY.signature) end--;
  if (end < 0) throw new Error("not a zip file (no end-of-directory record)");
  let entry = view.getUint32(end + END_OF_DIRECTORY.offset, true);
  for (let k = view.getUint16(end + END_OF_DIRECTORY.entries, true); k > 0; k--) {
    if (view.getUint32(entry, true) !== DIRECTORY_ENTRY.signature) throw new Error("corrupt zip directory");
    const nameLength = view.getUint16(entry + DIRECTORY_ENTRY.nameLength, true);
    const entryName = new TextDecoder().decode(zip.subarray(entry + DIRECTORY_ENTRY.size, entry + DIRECTORY_ENTRY.size + nameLength));
    if (entryName === name) {
      const method = view.getUint16(entry + DIRECTORY_ENTRY.method, true);
      if (method !== STORED) throw new Error(`zip member ${name} is compressed (method ${method}); only stored members are read`);
      // Sizes come from the directory: a local header may defer them to a data descriptor.
      const local = view.getUint32(entry + DIRECTORY_ENTRY.localOffset, true);
      if (view.getUint32(local, true) !== LOCAL_HEADER.signature) throw new Error(`corrupt zip local header for ${name}`);
      const start = local + LOCAL_HEADER.size + view.getUint16(local + LOCAL_HEADER.nameLength, true) + view.getUint16(local + LOCAL_HEADER.extraLength, true);
      return zip.subarray(start, start + view.getUint32(entry + DIRECTORY_ENTRY.compressedSize, true));
    }
    entry += DIRECTORY_ENTRY.size + nameLength + view.getUint16(entry + DIRECTORY_ENTRY.extraLength, true) + view.getUint16(entry + DIRECTORY_ENTRY.commentLength, true);
  }
  throw new Error(`the zip has no member ${name}`);
}

/**
 * The ONNX bytes of the FaceMesh V2 network. Input `image` [batch, 256, 256, 3]: NHWC as in the TFLite
 * file (the converter keeps a graph input's layout), RGB in [0, 1]. Outputs, in TFLite's shapes:
 * - `landmarks` [batch, 1, 1, 1434]: 478 points × (x, y, z) in the 256-pixel crop's pixels; z, depth, at
 *   the scale of x (MediaPipe divides both by the crop width).
 * - `presence` [batch, 1, 1, 1]: the face-presence logit, unbounded; MediaPipe applies a sigmoid and
 *   compares it with min_face_presence_confidence. About +14 to +25 on face crops, −14 on a blank one.
 * - `auxiliary` [batch, 1]: a sigmoid head that MediaPipe does not read (near 0 on face crops, near 1
 *   on a blank one).
 */
export function faceMeshOnnx(task: Uint8Array): Uint8Array {
  return encodeOnnxModel(tfliteToOnnx(readTflite(zipMember(task, MESH_MEMBER)), {
    names: { input_12: "image", Identity: "landmarks", Identity_1: "presence", Identity_2: "auxiliary" },
  }));
}

/**
 * The ONNX bytes of the blendshape network. Input `points` [batch, 146, 2]: x, y of the
 * BLENDSHAPE_LANDMARKS points in pixels (any scale and offset: the network centres and normalises
 * them). Output `blendshapes` [batch, 52]: BLENDSHAPE_NAMES scores in [0, 1].
 */
export function blendshapesOnnx(task: Uint8Array): Uint8Array {
  return encodeOnnxModel(tfliteToOnnx(readTflite(zipMember(task, BLENDSHAPES_MEMBER)), {
    names: { "serving_default_input_points:0": "points", "StatefulPartitionedCall:0": "blendshapes" },
  }));
}

/** The mesh points the blendshape network reads, in its input order (kLandmarksSubsetIdxs). */
export const BLENDSHAPE_LANDMARKS = [
  0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39, 40, 46, 52, 53, 54, 55, 58, 61, 63, 65, 66, 67, 70, 78, 80, 81, 82, 84, 87, 88, 91,
  93, 95, 103, 105, 107, 109, 127, 132, 133, 136, 144, 145, 146, 148, 149, 150, 152, 153, 154, 155, 157, 158, 159, 160, 161, 162, 163,
  168, 172, 173, 176, 178, 181, 185, 191, 195, 197, 234, 246, 249, 251, 263, 267, 269, 270, 276, 282, 283, 284, 285, 288, 291, 293, 295,
  296, 297, 300, 308, 310, 311, 312, 314, 317, 318, 321, 323, 324, 332, 334, 336, 338, 356, 361, 362, 365, 373, 374, 375, 377, 378, 379,
  380, 381, 382, 384, 385, 386, 387, 388, 389, 390, 397, 398, 400, 402, 405, 409, 415, 454, 466, 468, 469, 470, 471, 472, 473, 474, 475,
  476, 477,
] as const;

/** The blendshape network's outputs in order (kBlendshapeNames); `_neutral` is not a blendshape. */
export const BLENDSHAPE_NAMES = [
  "_neutral", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight", "cheekPuff", "cheekSquintLeft",
  "cheekSquintRight", "eyeBlinkLeft", "eyeBlinkRight", "eyeLookDownLeft", "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight",
  "eyeLookOutLeft", "eyeLookOutRight", "eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft", "eyeSquintRight", "eyeWideLeft", "eyeWideRight",
  "jawForward", "jawLeft", "jawOpen", "jawRight", "mouthClose", "mouthDimpleLeft", "mouthDimpleRight", "mouthFrownLeft", "mouthFrownRight",
  "mouthFunnel", "mouthLeft", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthPressLeft", "mouthPressRight", "mouthPucker", "mouthRight",
  "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmileLeft", "mouthSmileRight", "mouthStretchLeft",
  "mouthStretchRight", "mouthUpperUpLeft", "mouthUpperUpRight", "noseSneerLeft", "noseSneerRight",
] as const;
