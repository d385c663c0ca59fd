// The face model's compute, inside a pool worker: YuNet detection per frame, calibrated and filtered,
// then every face of the batch aligned and classified in one classifier run, meshed (478 points and 52
// blendshapes, reduced to its action units and other signals), and embedded when asked.

import { InferenceSession } from "onnxruntime-node";
import type { ImageFrame } from "../../media/types.js";
import type { Kernel, KernelOptions } from "../../runtime/kernel.js";
import { faceSignals } from "./action-units.js";
import { alignedCrop, fitSimilarity, scaleSimilarity, type Similarity } from "./align.js";
import { faceModelFiles, readFaceConfig, type FaceModelConfig } from "./config.js";
import type { Detection } from "./detector.js";
import { EMBEDDING_INPUT_SIZE, FaceEmbedder } from "./embedding.js";
import { classifyCrops, DETECTOR_INPUT_FLOATS, detectFaces, loadDetector } from "./inference.js";
import type { FaceKernelInput, FaceKernelOutput, FoundFace } from "./kernel-types.js";
import { FaceMeshNetworks, type LocatedFace } from "./mesh-inference.js";
import { meshTemplate } from "./mesh.js";
import type { Landmarks } from "./detector.js";
import { sessionOptions } from "../../runtime/session-options.js";

/** σ(slope · logit(score) + intercept): the detector's raw score as a calibrated probability. */
export function calibratedProbability(score: number, calibration: FaceModelConfig["detector"]["calibration"]): number {
  const s = Math.min(Math.max(score, 1e-6), 1 - 1e-6);
  return 1 / (1 + Math.exp(-(calibration.slope * Math.log(s / (1 - s)) + calibration.intercept)));
}

/** A face kept for classification, with where it came from. */
interface Candidate {
  input: number;
  frame: number;
  detection: Detection;
  prob: number;
  toCrop: Similarity;
  image: ImageFrame;
}

export class FaceKernel implements Kernel<FaceKernelInput, FaceKernelOutput> {
  private config!: FaceModelConfig;
  private detector!: InferenceSession;
  private classifier!: InferenceSession;
  private embedder: FaceEmbedder | undefined;
  private mesh!: FaceMeshNetworks;
  /** Where the mesh crop puts the detector's five landmarks. */
  private meshTemplate!: Landmarks;
  /** The detector's input, rewritten for every frame (runs are sequential within a worker). */
  private readonly detectorInput = new Float32Array(DETECTOR_INPUT_FLOATS);

  async load(options: KernelOptions): Promise<void> {
    this.config = readFaceConfig();
    const files = faceModelFiles(this.config);
    this.detector = await loadDetector(files.detector, sessionOptions(options.intraOpThreads));
    this.classifier = await InferenceSession.create(files.classifier, sessionOptions(options.intraOpThreads));
    this.embedder = await FaceEmbedder.load();
    this.mesh = await FaceMeshNetworks.load(files.mesh, options.intraOpThreads);
    this.meshTemplate = meshTemplate(this.config.alignment.template, this.config.alignment.size);
    // Warm-up runs: the first run of each network allocates and compiles (hundreds of milliseconds for the
    // wasm embedder), which belongs in loading, not in the first payload that finds a face.
    const side = this.config.alignment.size;
    await classifyCrops(this.classifier, [new Uint8Array(side * side)], side);
    await this.embedder.embed([new Uint8Array(EMBEDDING_INPUT_SIZE * EMBEDDING_INPUT_SIZE * 3)]);
    await this.measure([{ image: { width: side, height: side, data: new Uint8Array(side * side * 3) }, landmarks: this.config.alignment.template }]);
  }

  async run(batch: FaceKernelInput[]): Promise<FaceKernelOutput[]> {
    const outputs: FaceKernelOutput[] = batch.map((input) => ({ frames: input.frames.map(() => []) }));
    const candidates: Candidate[] = [];
    for (const [i, input] of batch.entries()) {
      for (const [f, image] of input.frames.entries()) {
        for (const detection of await detectFaces(this.detector, image, this.config.detector, this.detectorInput)) {
          const prob = calibratedProbability(detection.score, this.config.detector.calibration);
          if (prob < input.minProbability || Math.min(detection.width, detection.height) < input.minFaceSize) continue;
          candidates.push({ input: i, frame: f, detection, prob, image, toCrop: fitSimilarity(detection.landmarks, this.config.alignment.template) });
        }
      }
    }
    const classes = await this.classify(candidates);
    const signals = await this.measure(candidates.map((c) => ({ image: c.image, landmarks: c.detection.landmarks })));
    const embeddings = await this.embedFaces(candidates.filter((c) => batch[c.input]!.embed));
    candidates.forEach((candidate, n) => {
      const { x, y, width, height } = candidate.detection;
      const x0 = Math.max(0, x), y0 = Math.max(0, y);
      const face: FoundFace = {
        box: { x: x0, y: y0, w: Math.min(candidate.image.width, x + width) - x0, h: Math.min(candidate.image.height, y + height) - y0 },
        prob: candidate.prob,
        classes: classes[n]!,
        signals: signals[n]!,
      };
      const embedding = embeddings.get(candidate);
      if (embedding !== undefined) face.embedding = embedding;
      outputs[candidate.input]!.frames[candidate.frame]!.push(face);
    });
    return outputs;
  }

  private async classify(candidates: Candidate[]): Promise<Float32Array[]> {
    const side = this.config.alignment.size;
    return (await classifyCrops(this.classifier, candidates.map((c) => alignedCrop(c.image, c.toCrop, side)), side)).ferplus;
  }

  /** Each face's signals (FACE_SIGNALS order): its mesh and blendshapes, measured and calibrated. */
  private async measure(faces: readonly LocatedFace[]): Promise<Float32Array[]> {
    const measured = await this.mesh.measure(faces, this.meshTemplate);
    return measured.map((face) => faceSignals(face, this.config.mesh.signal_calibration));
  }

  private async embedFaces(candidates: Candidate[]): Promise<Map<Candidate, Float32Array>> {
    const embedded = new Map<Candidate, Float32Array>();
    if (candidates.length === 0 || this.embedder === undefined) return embedded;
    const factor = EMBEDDING_INPUT_SIZE / this.config.alignment.size;
    const crops = candidates.map((c) => alignedCrop(c.image, scaleSimilarity(c.toCrop, factor), EMBEDDING_INPUT_SIZE, 3));
    const vectors = await this.embedder.embed(crops);
    candidates.forEach((c, n) => embedded.set(c, vectors[n]!));
    return embedded;
  }
}

export default function faceKernel(): FaceKernel {
  return new FaceKernel();
}
