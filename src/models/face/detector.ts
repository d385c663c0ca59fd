// YuNet (libfacedetection, OpenCV zoo 2023mar) face detection: the image letterboxed into the network's
// BGR input (its long side 640, its short side padded up to a multiple of 32: the graph is fully
// convolutional, and a 640×480 frame costs three quarters of a 640² square), the three stride heads
// decoded to boxes and five landmarks, then NMS. Pure functions; the kernel owns the ONNX session.

import type { ImageFrame } from "../../media/types.js";

export const DETECTOR_INPUT_SIZE = 640;
const STRIDES = [8, 16, 32] as const;
/** The network's outputs, per stride: scores, objectness, box and landmark offsets for each anchor. */
export const DETECTOR_OUTPUTS: readonly string[] = STRIDES.flatMap((stride) => ["cls", "obj", "bbox", "kps"].map((head) => `${head}_${stride}`));
/** The input's sides are multiples of the coarsest stride. */
const CANVAS_STEP = STRIDES[STRIDES.length - 1]!;

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
  /** Planar BGR float32, 0–255, width·height per channel. */
  tensor: Float32Array;
  /** The network input's size. */
  width: number;
  height: number;
  /** Source pixels per network pixel. */
  scale: number;
}

/** A canvas side holding `side` image pixels: the next multiple of the coarsest stride, at most `size`. */
function canvasSide(side: number, size: number): number {
  return Math.min(size, Math.ceil(side / CANVAS_STEP) * CANVAS_STEP);
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

/** Zeroes each plane of `canvas` outside the image's `width`×`height` (a reused tensor holds the last frame there). */
function zeroPadding(tensor: Float32Array, canvas: { width: number; height: number }, width: number, height: number): void {
  const plane = canvas.width * canvas.height;
  for (let p = 0; p < 3 * plane; p += plane) {
    if (width < canvas.width) for (let y = 0; y < height; y++) tensor.fill(0, p + y * canvas.width + width, p + (y + 1) * canvas.width);
    tensor.fill(0, p + height * canvas.width, p + plane);
  }
}

/** An image whose long side is the canvas's, pixel for pixel (what the averaging does at scale 1, without its loops). */
function copyBgr(image: ImageFrame, canvasWidth: number, plane: number, tensor: Float32Array): void {
  const { data, width, height } = image;
  for (let y = 0; y < height; y++) {
    for (let index = y * canvasWidth, end = index + width, from = y * width * 3; index < end; index++, from += 3) {
      tensor[index] = data[from + 2]!;
      tensor[plane + index] = data[from + 1]!;
      tensor[2 * plane + index] = data[from]!;
    }
  }
}

/**
 * Resizes the image, its long side to `size`, into the top-left of a canvas whose short side is padded
 * up to a multiple of 32 (zero padding), averaging every source pixel under a network pixel when
 * shrinking so small faces in large frames keep their detail. `into` (3·size² floats) is reused when
 * given (the tensor is its start): a fresh 4.9 MB tensor per video frame costs more in page faults than
 * the resize itself.
 */
export function letterbox(image: ImageFrame, size = DETECTOR_INPUT_SIZE, into?: Float32Array): Letterbox {
  const scale = Math.max(image.width, image.height) / size;
  const outWidth = Math.min(size, Math.round(image.width / scale));
  const outHeight = Math.min(size, Math.round(image.height / scale));
  const canvas = { width: canvasSide(outWidth, size), height: canvasSide(outHeight, size) };
  const plane = canvas.width * canvas.height;
  const tensor = into === undefined ? new Float32Array(plane * 3) : into.subarray(0, plane * 3);
  if (into !== undefined) zeroPadding(tensor, canvas, outWidth, outHeight);
  if (scale === 1) {
    copyBgr(image, canvas.width, plane, tensor);
    return { tensor, ...canvas, scale };
  }
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
      const index = oy * canvas.width + ox;
      tensor[index] = b / n;
      tensor[plane + index] = g / n;
      tensor[2 * plane + index] = r / n;
    }
  }
  return { tensor, ...canvas, scale };
}

/** The network's outputs by name (cls_8, obj_8, bbox_8, kps_8, … for each stride). */
export type DetectorOutputs = Record<string, Float32Array>;

/** Decodes every anchor of a `width`-wide input scoring at least `minScore` into source-image pixels, then suppresses overlaps. */
export function decodeDetections(outputs: DetectorOutputs, scale: number, minScore: number, maxIou: number, width: number): Detection[] {
  const found: Detection[] = [];
  for (const stride of STRIDES) {
    const cls = outputs[`cls_${stride}`]!;
    const obj = outputs[`obj_${stride}`]!;
    const bbox = outputs[`bbox_${stride}`]!;
    const kps = outputs[`kps_${stride}`]!;
    const cols = width / stride;
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
