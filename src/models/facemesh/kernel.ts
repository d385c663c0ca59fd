// The facemesh model's compute, inside a pool worker: each face brought to isotropic units, scored by
// MediaPipe's blendshape network, classified into the 8 FER+ classes by the landmark classifier, its
// signals (action units) measured and calibrated as the face model's are, and both projected onto the
// 48 expressions by the face model's formulas, so a face and its mesh answer alike.

import { readFileSync } from "node:fs";
import { InferenceSession, Tensor } from "onnxruntime-node";
import type { Kernel, KernelOptions } from "../../runtime/kernel.js";
import { sessionOptions } from "../../runtime/session-options.js";
import { faceSignals } from "../face/action-units.js";
import { faceModelFiles, readFaceConfig, type FaceModelConfig } from "../face/config.js";
import { projectExpressions } from "../face/expressions.js";
import { FERPLUS_CLASSES } from "../face/formulas.js";
import { BlendshapeNetwork } from "../face/mesh-inference.js";
import { readFacemeshConfig, type FacemeshModelConfig } from "./config.js";
import { MESH_FLOATS } from "../face/mesh.js";
import { classifierFeatures, FEATURE_COUNT, isotropicFace } from "./features.js";
import type { FacemeshKernelInput, FacemeshKernelOutput } from "./kernel-types.js";

export class FacemeshKernel implements Kernel<FacemeshKernelInput, FacemeshKernelOutput> {
  private faceConfig!: FaceModelConfig;
  private config!: FacemeshModelConfig;
  private blendshapes!: BlendshapeNetwork;
  private classifier!: InferenceSession;

  async load(options: KernelOptions): Promise<void> {
    this.faceConfig = readFaceConfig();
    this.config = readFacemeshConfig();
    this.blendshapes = await BlendshapeNetwork.load(new Uint8Array(readFileSync(faceModelFiles(this.faceConfig).mesh)), options.intraOpThreads);
    this.classifier = await InferenceSession.create(this.config.classifierPath, sessionOptions(options.intraOpThreads));
    // Warm-up: the first runs allocate, which belongs in loading rather than in the first payload.
    await this.run([{ faces: [new Float32Array(MESH_FLOATS)] }]);
  }

  async run(batch: FacemeshKernelInput[]): Promise<FacemeshKernelOutput[]> {
    const faces = batch.flatMap((input) => input.faces);
    const analysed = await this.analyse(faces);
    const expressions = analysed.map(({ classes, signals }) => projectExpressions(classes, signals));
    let next = 0;
    return batch.map((input) => ({ expressions: input.faces.map(() => expressions[next++]!) }));
  }

  /** Each face's FER+ probabilities (FERPLUS_CLASSES order) and calibrated signals (FACE_SIGNALS order). */
  async analyse(sent: readonly Float32Array[]): Promise<{ classes: Float32Array; signals: Float32Array }[]> {
    if (sent.length === 0) return [];
    const faces = sent.map((face) => isotropicFace(face, this.config.heightToEyeWidth));
    const blendshapes = await this.blendshapes.score(faces);
    const rows = new Float32Array(faces.length * FEATURE_COUNT);
    faces.forEach((face, n) => rows.set(classifierFeatures(face, blendshapes[n]!), n * FEATURE_COUNT));
    const probabilities = (await this.classifier.run({ features: new Tensor("float32", rows, [faces.length, FEATURE_COUNT]) })).classes!.data as Float32Array;
    const width = FERPLUS_CLASSES.length;
    return faces.map((face, n) => ({
      classes: probabilities.slice(n * width, (n + 1) * width),
      signals: faceSignals({ mesh: face, blendshapes: blendshapes[n]! }, this.faceConfig.mesh.signal_calibration),
    }));
  }
}

export default function facemeshKernel(): FacemeshKernel {
  return new FacemeshKernel();
}
