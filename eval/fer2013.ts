// FER2013 (+ FER+ votes) as the face pipeline sees it, shared by the evaluation and the training
// scripts (training/face/*.mjs import the compiled file): the splits' images, their labels, and the
// served detector and aligner run over them. Each 48×48 image is upscaled into a cell of a 640×640
// canvas (4×4 per canvas, grey around them) so the detector sees it at a size it finds reliably; an
// image without a confident detection keeps its original framing.

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { InferenceSession } from "onnxruntime-node";
import type { ImageFrame } from "../src/media/types.js";
import { alignedCrop, fitSimilarity } from "../src/models/face/align.js";
import type { FaceModelConfig } from "../src/models/face/config.js";
import type { Landmarks } from "../src/models/face/detector.js";
import { DETECTOR_INPUT_SIZE } from "../src/models/face/detector.js";
import { detectFaces } from "../src/models/face/inference.js";
import type { FaceMeshNetworks, MeasuredFace } from "../src/models/face/mesh-inference.js";
import { meshTemplate } from "../src/models/face/mesh.js";
import { parseCsv } from "./metrics.js";

export const SIDE = 48;
const PIXELS = SIDE * SIDE;
const CELL = 160;
const FACE = 112;
const OFFSET = (CELL - FACE) / 2;
const PER_ROW = DETECTOR_INPUT_SIZE / CELL;
/** Raw detector score from which a FER image's detection is used for alignment. */
export const CONFIDENT_SCORE = 0.5;
/** Images meshed per call (the networks cut it into bounded runs). */
const MESH_BATCH = 64;

export type FerSplit = "Training" | "PublicTest" | "PrivateTest";
const SPLIT_FILES: Record<FerSplit, string> = { Training: "training", PublicTest: "publictest", PrivateTest: "privatetest" };

/** FER+ vote columns: the 8 emotions (FERPLUS_CLASSES order), then unknown and not-a-face. */
export const VOTE_COLUMNS = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt", "unknown", "NF"] as const;

export interface FerLabels {
  /** FER2013's original label: 0 angry, 1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise, 6 neutral. */
  fer2013: number;
  /** The 10 FER+ votes, or undefined when the image has no FER+ row. */
  votes: number[] | undefined;
}

/** A split's images, N×48×48 bytes (the files store each column's running difference). */
export function loadFerImages(dataDir: string, split: FerSplit): Uint8Array {
  const d = gunzipSync(readFileSync(`${dataDir}${SPLIT_FILES[split]}.u8.updelta.gz`));
  for (let i = 0; i < d.length; i++) if (i % PIXELS >= SIDE) d[i] = (d[i]! + d[i - SIDE]!) & 255;
  return d;
}

/** Labels of a split's images, in image order. */
export function loadFerLabels(dataDir: string, split: FerSplit): FerLabels[] {
  const [header, ...rows] = parseCsv(readFileSync(`${dataDir}index.csv`, "utf8"));
  const column = (name: string): number => header!.indexOf(name);
  const labels: FerLabels[] = [];
  for (const row of rows) {
    if (row[column("split")] !== split) continue;
    const votes = row[column("neutral")] === "" || row[column("fer_row")] === "-1" ? undefined : VOTE_COLUMNS.map((name) => Number(row[column(name)]));
    labels[Number(row[column("idx")])] = { fer2013: Number(row[column("emotion")]), votes };
  }
  return labels;
}

/**
 * The FER+ majority emotion (FERPLUS_CLASSES index), or undefined when the image is left out as in the
 * FER+ paper: no votes, a majority for unknown or not-a-face, or a tie between the top emotions.
 */
export function ferplusMajority(votes: readonly number[] | undefined): number | undefined {
  if (votes === undefined) return undefined;
  const top = Math.max(...votes);
  const winners = votes.flatMap((v, i) => (v === top ? [i] : []));
  return winners.length === 1 && winners[0]! < 8 ? winners[0] : undefined;
}

export function greyImage(grey: Uint8Array, side = SIDE): ImageFrame {
  const data = new Uint8Array(side * side * 3);
  for (let i = 0; i < grey.length; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = grey[i]!;
  return { width: side, height: side, data };
}

function paste(canvas: Uint8Array, grey: Uint8Array, cellX: number, cellY: number): void {
  const k = SIDE / FACE;
  for (let y = 0; y < FACE; y++) {
    const sy = Math.min(SIDE - 1, Math.max(0, (y + 0.5) * k - 0.5)), y0 = Math.floor(sy), y1 = Math.min(SIDE - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < FACE; x++) {
      const sx = Math.min(SIDE - 1, Math.max(0, (x + 0.5) * k - 0.5)), x0 = Math.floor(sx), x1 = Math.min(SIDE - 1, x0 + 1), fx = sx - x0;
      const v = (grey[y0 * SIDE + x0]! * (1 - fx) + grey[y0 * SIDE + x1]! * fx) * (1 - fy) + (grey[y1 * SIDE + x0]! * (1 - fx) + grey[y1 * SIDE + x1]! * fx) * fy;
      const o = ((cellY * CELL + OFFSET + y) * DETECTOR_INPUT_SIZE + cellX * CELL + OFFSET + x) * 3;
      canvas[o] = canvas[o + 1] = canvas[o + 2] = v;
    }
  }
}

export interface FerDetections {
  /** Per image, the best detection's landmarks in its 48×48 coordinates (undefined: none). */
  landmarks: (Landmarks | undefined)[];
  /** Per image, the best detection's raw score (0: none). */
  scores: Float32Array;
  /** Every detection's raw score. */
  all: number[];
}

/** Runs the served detector over N×48×48 images, keeping candidates down to `minScore`. */
export async function detectFerImages(session: InferenceSession, pixels: Uint8Array, detector: FaceModelConfig["detector"], minScore: number): Promise<FerDetections> {
  const n = pixels.length / PIXELS;
  const landmarks: (Landmarks | undefined)[] = new Array(n).fill(undefined);
  const scores = new Float32Array(n);
  const all: number[] = [];
  const perCanvas = PER_ROW * PER_ROW;
  for (let start = 0; start < n; start += perCanvas) {
    const data = new Uint8Array(DETECTOR_INPUT_SIZE * DETECTOR_INPUT_SIZE * 3).fill(128);
    const count = Math.min(perCanvas, n - start);
    for (let j = 0; j < count; j++) paste(data, pixels.subarray((start + j) * PIXELS, (start + j + 1) * PIXELS), j % PER_ROW, Math.floor(j / PER_ROW));
    const canvas = { width: DETECTOR_INPUT_SIZE, height: DETECTOR_INPUT_SIZE, data };
    for (const d of await detectFaces(session, canvas, { ...detector, min_score: minScore })) {
      all.push(d.score);
      const cellX = Math.floor((d.x + d.width / 2) / CELL), cellY = Math.floor((d.y + d.height / 2) / CELL), j = cellY * PER_ROW + cellX;
      if (j >= count || scores[start + j]! >= d.score) continue;
      scores[start + j] = d.score;
      landmarks[start + j] = d.landmarks.map(([x, y]) => [((x - cellX * CELL - OFFSET) * SIDE) / FACE, ((y - cellY * CELL - OFFSET) * SIDE) / FACE]);
    }
  }
  return { landmarks, scores, all };
}

/** Aligned 48×48 crops of every image (the served alignment), the original framing where none was confident. */
export function alignFerImages(pixels: Uint8Array, detections: FerDetections, template: Landmarks): Uint8Array {
  const aligned = new Uint8Array(pixels.length);
  detections.landmarks.forEach((points, i) => {
    const grey = pixels.subarray(i * PIXELS, (i + 1) * PIXELS);
    if (points === undefined || detections.scores[i]! < CONFIDENT_SCORE) aligned.set(grey, i * PIXELS);
    else aligned.set(alignedCrop(greyImage(grey), fitSimilarity(points, template), SIDE), i * PIXELS);
  });
  return aligned;
}

/**
 * The served mesh and blendshapes of every image: the mesh crop placed by the image's confident
 * detection, else by the alignment template (FER's own framing), as alignFerImages does. `onProgress`
 * hears how many images are done after each batch.
 */
export async function meshFerImages(networks: FaceMeshNetworks, pixels: Uint8Array, detections: FerDetections, template: Landmarks, onProgress?: (done: number) => void): Promise<MeasuredFace[]> {
  const n = pixels.length / PIXELS;
  const placement = meshTemplate(template, SIDE);
  const measured: MeasuredFace[] = [];
  for (let start = 0; start < n; start += MESH_BATCH) {
    const faces = [];
    for (let i = start; i < Math.min(n, start + MESH_BATCH); i++) {
      const points = detections.landmarks[i];
      const confident = points !== undefined && detections.scores[i]! >= CONFIDENT_SCORE;
      faces.push({ image: greyImage(pixels.subarray(i * PIXELS, (i + 1) * PIXELS)), landmarks: confident ? points : template });
    }
    measured.push(...(await networks.measure(faces, placement)));
    onProgress?.(measured.length);
  }
  return measured;
}
