// FER2013 images through the served face detector: 48×48 faces upscaled into the cells of 640×640
// canvases (4×4 per canvas, grey between them), so the detector sees each at a size it finds reliably.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import ort from "onnxruntime-node";
import { letterbox, decodeDetections, DETECTOR_INPUT_SIZE } from "../../dist/src/models/face/detector.js";

export const SIDE = 48;
const CELL = 160, FACE = 112, OFFSET = (CELL - FACE) / 2, PER_ROW = DETECTOR_INPUT_SIZE / CELL;
export const SPLIT_FILES = { Training: "training", PublicTest: "publictest", PrivateTest: "privatetest" };

/** The split's images, N×48×48 bytes (the files store each column's running difference). */
export function loadSplit(dataDir, split) {
  const d = zlib.gunzipSync(fs.readFileSync(path.join(dataDir, `${SPLIT_FILES[split]}.u8.updelta.gz`)));
  for (let i = 0; i < d.length; i++) if (i % 2304 >= 48) d[i] = (d[i] + d[i - 48]) & 255;
  return d;
}

export function greyToRgb(grey, side = SIDE) {
  const data = new Uint8Array(side * side * 3);
  for (let i = 0; i < grey.length; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = grey[i];
  return { width: side, height: side, data };
}

function paste(canvas, grey, cellX, cellY) {
  const k = SIDE / FACE;
  for (let y = 0; y < FACE; y++) {
    const sy = Math.min(SIDE - 1, Math.max(0, (y + 0.5) * k - 0.5)), y0 = Math.floor(sy), y1 = Math.min(SIDE - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < FACE; x++) {
      const sx = Math.min(SIDE - 1, Math.max(0, (x + 0.5) * k - 0.5)), x0 = Math.floor(sx), x1 = Math.min(SIDE - 1, x0 + 1), fx = sx - x0;
      const v = (grey[y0 * SIDE + x0] * (1 - fx) + grey[y0 * SIDE + x1] * fx) * (1 - fy) + (grey[y1 * SIDE + x0] * (1 - fx) + grey[y1 * SIDE + x1] * fx) * fy;
      const o = ((cellY * CELL + OFFSET + y) * DETECTOR_INPUT_SIZE + cellX * CELL + OFFSET + x) * 3;
      canvas[o] = canvas[o + 1] = canvas[o + 2] = v;
    }
  }
}

export async function openDetector(file) {
  return ort.InferenceSession.create(file, { logSeverityLevel: 3, intraOpNumThreads: 2 });
}

/**
 * Detects faces in N×48×48 images. Returns each image's best detection (landmarks in its 48×48
 * coordinates, NaN when none; score 0 when none) and every detection's raw score.
 */
export async function detectImages(session, pixels, minScore) {
  const n = pixels.length / 2304;
  const landmarks = new Float32Array(n * 10).fill(NaN);
  const scores = new Float32Array(n);
  const all = [];
  const perCanvas = PER_ROW * PER_ROW;
  for (let start = 0; start < n; start += perCanvas) {
    const canvas = new Uint8Array(DETECTOR_INPUT_SIZE * DETECTOR_INPUT_SIZE * 3).fill(128);
    const count = Math.min(perCanvas, n - start);
    for (let j = 0; j < count; j++) paste(canvas, pixels.subarray((start + j) * 2304, (start + j + 1) * 2304), j % PER_ROW, Math.floor(j / PER_ROW));
    const box = letterbox({ width: DETECTOR_INPUT_SIZE, height: DETECTOR_INPUT_SIZE, data: canvas });
    const out = await session.run({ input: new ort.Tensor("float32", box.tensor, [1, 3, DETECTOR_INPUT_SIZE, DETECTOR_INPUT_SIZE]) });
    const detections = decodeDetections(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data])), box.scale, minScore, 0.3);
    for (const d of detections) {
      all.push(d.score);
      const cx = d.x + d.width / 2, cy = d.y + d.height / 2;
      const cellX = Math.floor(cx / CELL), cellY = Math.floor(cy / CELL), j = cellY * PER_ROW + cellX;
      if (j >= count || scores[start + j] >= d.score) continue;
      scores[start + j] = d.score;
      d.landmarks.forEach(([x, y], k) => {
        landmarks[(start + j) * 10 + 2 * k] = ((x - cellX * CELL - OFFSET) * SIDE) / FACE;
        landmarks[(start + j) * 10 + 2 * k + 1] = ((y - cellY * CELL - OFFSET) * SIDE) / FACE;
      });
    }
  }
  return { landmarks, scores, all };
}
