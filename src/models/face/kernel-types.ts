// What the face model sends its kernel and gets back (structured-cloned between threads).

import type { ImageFrame } from "../../media/types.js";

export interface FaceKernelInput {
  /** The frames of one payload: a still image is one frame. */
  frames: ImageFrame[];
  /** Calibrated detection probability a face needs (prob_threshold). */
  minProbability: number;
  /** Shortest box side a face needs, pixels (min_face_size). */
  minFaceSize: number;
  /** Whether to compute identity embeddings (identify_faces). */
  embed: boolean;
}

export interface FoundFace {
  /** Pixels of the frame, clipped to it. */
  box: { x: number; y: number; w: number; h: number };
  prob: number;
  /** The classifier's FER+ probabilities, FERPLUS_CLASSES order. */
  classes: Float32Array;
  /** Calibrated action units and other face signals, FACE_SIGNALS order (./action-units.ts). */
  signals: Float32Array;
  /** Unit-length identity embedding, when asked for. */
  embedding?: Float32Array;
}

export interface FaceKernelOutput {
  /** Per input frame, the faces found. */
  frames: FoundFace[][];
}
