// FaceMesh V2 framing: the 256×256 RGB crop the landmark network reads, placed by a similarity from the
// detector's five landmarks, and the network's 478 points mapped back to image pixels. The crop frames
// the face as MediaPipe's own region of interest does (the mesh spans about 60 % of the crop's width and
// 75 % of its height), which is where the network is most confident of a face.

import type { ImageFrame } from "../../media/types.js";
import { FACEMESH_COORDINATES, FACEMESH_LANDMARKS } from "../../protocol/index.js";
import { alignedCrop, fitSimilarity, type Similarity } from "./align.js";
import type { Landmarks } from "./detector.js";

export const MESH_INPUT_SIZE = 256;
/** Floats of one face's mesh: x, y, z per point (the protocol's facemesh layout). */
export const MESH_FLOATS = FACEMESH_LANDMARKS * FACEMESH_COORDINATES;

/** How much larger the mesh crop draws the face than the classifier's template does, and where. */
const TEMPLATE_SCALE = 4;
const TEMPLATE_CENTRE: [number, number] = [128, 124];

/** The detector's five landmarks' places in the mesh crop: the classifier's template (drawn at `size`), scaled about its centre. */
export function meshTemplate(template: Landmarks, size: number): Landmarks {
  const factor = (TEMPLATE_SCALE * 48) / size;
  return template.map(([x, y]) => [TEMPLATE_CENTRE[0] + (x - size / 2) * factor, TEMPLATE_CENTRE[1] + (y - (size * 27.5) / 48) * factor]);
}

export interface MeshCrop {
  /** NHWC RGB in [0, 1], MESH_INPUT_SIZE² × 3. */
  pixels: Float32Array;
  /** Image → crop. */
  toCrop: Similarity;
}

/** The landmark network's input for the face whose five detector landmarks are `landmarks`. */
export function meshCrop(image: ImageFrame, landmarks: Landmarks, template: Landmarks): MeshCrop {
  return cropThrough(image, fitSimilarity(landmarks, template));
}

/** How much larger than the mesh's own extent MediaPipe's region of interest is (face_landmarker_graph). */
const ROI_SCALE = 1.5;
const RIGHT_EYE_OUTER = 33, LEFT_EYE_OUTER = 263;

/**
 * The crop MediaPipe places from a face's previous mesh (x, y, z per point, image pixels): the points'
 * bounding box in the eye line's frame, 1.5× its longer side, square, turned with the eye line.
 */
export function meshRoiCrop(image: ImageFrame, mesh: ArrayLike<number>): MeshCrop {
  const angle = Math.atan2(mesh[LEFT_EYE_OUTER * 3 + 1]! - mesh[RIGHT_EYE_OUTER * 3 + 1]!, mesh[LEFT_EYE_OUTER * 3]! - mesh[RIGHT_EYE_OUTER * 3]!);
  const cos = Math.cos(angle), sin = Math.sin(angle);
  let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
  for (let i = 0; i < FACEMESH_LANDMARKS; i++) {
    const x = mesh[i * 3]!, y = mesh[i * 3 + 1]!;
    const u = cos * x + sin * y, v = -sin * x + cos * y;
    minU = Math.min(minU, u); maxU = Math.max(maxU, u); minV = Math.min(minV, v); maxV = Math.max(maxV, v);
  }
  const k = MESH_INPUT_SIZE / (Math.max(maxU - minU, maxV - minV, 1) * ROI_SCALE);
  const half = MESH_INPUT_SIZE / 2;
  return cropThrough(image, { a: k * cos, b: -k * sin, tx: half - (k * (minU + maxU)) / 2, ty: half - (k * (minV + maxV)) / 2 });
}

/** Each byte value's share of 255, looked up instead of divided per pixel. */
const UNIT_OF_BYTE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

function cropThrough(image: ImageFrame, toCrop: Similarity): MeshCrop {
  const bytes = alignedCrop(image, toCrop, MESH_INPUT_SIZE, 3);
  const pixels = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) pixels[i] = UNIT_OF_BYTE[bytes[i]!]!;
  return { pixels, toCrop };
}

/** Crop-space points (x, y, z per point) in image pixels; z is scaled as x and y are. */
export function meshToImage(points: ArrayLike<number>, toCrop: Similarity): Float32Array {
  const { a, b, tx, ty } = toCrop;
  const det = a * a + b * b;
  const ia = a / det, ib = -b / det;
  const scale = Math.sqrt(det);
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i]! - tx, y = points[i + 1]! - ty;
    out[i] = ia * x - ib * y;
    out[i + 1] = ib * x + ia * y;
    out[i + 2] = points[i + 2]! / scale;
  }
  return out;
}
