// YuNet (libfacedetection, OpenCV zoo 2023mar) face detection: the image letterboxed into the network's
// fixed 640×640 BGR input, the three stride heads decoded to boxes and five landmarks, then NMS.
// Pure functions; the kernel owns the ONNX session.

import type { ImageFrame } from "../../media/types.js";

export const DETECTOR_INPUT_SIZE = 640;
const STRIDES = [8, 16, 32] as const;

/** Eye, eye, nose tip, mouth corner, mouth corner: the subject's right side first (image left). */
export type Landmarks = [number, number][];

export interface Detection {
  /** Pixels of the source image. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** YuNet's raw score √(cls·obj), before calibration. */
  score: number;
  landmarks: Landmarks;
}

export interface Letterbox {
  /** Planar BGR float32, 0–255, DETECTOR_INPUT_SIZE² per channel. */
  tensor: Float32Array;
  /** Source pixels per network pixel. */
  scale: number;
}

/** Per output pixel along one axis, the source pixels [start, end) it covers. */
function spans(outLength: number, sourceLength: number, scale: number): { start: Int32Array; end: Int32Array } {
  const start = new Int32Array(outLength);
  const end = new Int32Array(outLength);
  for (let o = 0; o < outLength; o++) {
    start[o] = Math.min(sourceLength - 1, Math.floor(o * scale));
    end[o] = Math.max(start[o]! + 1, Math.min(sourceLength, Math.ceil((o + 1) * scale)));
  }
  return { start, end };
}

/**
 * Resizes the image into the top-left of a square canvas (zero padding), averaging every source pixel
 * under a network pixel when shrinking so small faces in large frames keep their detail. `into` (3·size²
 * floats) is reused when given: a fresh 4.9 MB tensor per video frame costs more in page faults than
 * the resize itself.
 */
export function letterbox(image: ImageFrame, size = DETECTOR_INPUT_SIZE, into?: Float32Array): Letterbox {
  const scale = Math.max(image.width, image.height) / size;
  const outWidth = Math.min(size, Math.round(image.width / scale));
  const outHeight = Math.min(size, Math.round(image.height / scale));
  const plane = size * size;
  const tensor = into?.fill(0) ?? new Float32Array(plane * 3);
  const { data, width } = image;
  const xs = spans(outWidth, image.width, scale);
  const ys = spans(outHeight, image.height, scale);
  for (let oy = 0; oy < outHeight; oy++) {
    const y0 = ys.start[oy]!, y1 = ys.end[oy]!;
    for (let ox = 0; ox < outWidth; ox++) {
      const x0 = xs.start[ox]!, x1 = xs.end[ox]!;
      let r = 0, g = 0, b = 0;
      for (let y = y0; y < y1; y++) {
        for (let offset = (y * width + x0) * 3, stop = (y * width + x1) * 3; offset < stop; offset += 3) {
          r += data[offset]!;
          g += data[offset + 1]!;
          b += data[offset + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const index = oy * size + ox;
      tensor[index] = b / n;
      tensor[plane + index] = g / n;
      tensor[2 * plane + index] = r / n;
    }
  }
  return { tensor, scale };
}

/** The network's outputs by name (cls_8, obj_8, bbox_8, kps_8, … for each stride). */
export type DetectorOutputs = Record<string, Float32Array>;

/** Decodes every anchor scoring at least `minScore` into source-image pixels, then suppresses overlaps. */
export function decodeDetections(outputs: DetectorOutputs, scale: number, minScore: number, maxIou: number, size = DETECTOR_INPUT_SIZE): Detection[] {
  const found: Detection[] = [];
  for (const stride of STRIDES) {
    const cls = outputs[`cls_${stride}`]!;
    const obj = outputs[`obj_${stride}`]!;
    const bbox = outputs[`bbox_${stride}`]!;
    const kps = outputs[`kps_${stride}`]!;
    const cols = size / stride;
    for (let i = 0; i < cls.length; i++) {
      const score = Math.sqrt(clamp01(cls[i]!) * clamp01(obj[i]!));
      if (score < minScore) continue;
      const row = Math.floor(i / cols);
      const col = i % cols;
      const cx = (col + bbox[i * 4]!) * stride;
      const cy = (row + bbox[i * 4 + 1]!) * stride;
      const w = Math.exp(bbox[i * 4 + 2]!) * stride;
      const h = Math.exp(bbox[i * 4 + 3]!) * stride;
      const landmarks: Landmarks = [];
      for (let k = 0; k < 5; k++) {
        landmarks.push([(kps[i * 10 + 2 * k]! + col) * stride * scale, (kps[i * 10 + 2 * k + 1]! + row) * stride * scale]);
      }
      found.push({ x: (cx - w / 2) * scale, y: (cy - h / 2) * scale, width: w * scale, height: h * scale, score, landmarks });
    }
  }
  return suppressOverlaps(found, maxIou);
}

export function iou(a: Detection, b: Detection): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy non-maximum suppression: highest score first, dropping boxes overlapping a kept one. */
export function suppressOverlaps(detections: Detection[], maxIou: number): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const candidate of sorted) {
    if (kept.every((k) => iou(k, candidate) <= maxIou)) kept.push(candidate);
  }
  return kept;
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}
