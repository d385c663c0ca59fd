// The two MediaPipe networks of a face's geometry, shared by the face kernel, the facemesh kernel, the
// evaluation and the training scripts: the FaceMesh V2 landmark network on mesh crops (./mesh.ts), and
// the blendshape network on a mesh's 146-point subset. Both are converted from the pinned .task file at load.

import { readFileSync } from "node:fs";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { sessionOptions } from "../../runtime/session-options.js";
import { BLENDSHAPE_LANDMARKS, blendshapesOnnx, faceMeshOnnx } from "./mediapipe.js";
import type { ImageFrame } from "../../media/types.js";
import type { Landmarks } from "./detector.js";
import { MESH_INPUT_SIZE, meshCrop, meshRoiCrop, meshToImage } from "./mesh.js";

// Both networks run one face per run: a face's numbers then do not depend on which faces shared its batch
// (the converted graphs differ in the last bits between batch sizes, and a video's frames batch
// differently as they decode), and batching saves nothing here (the mesh network costs the same per face
// at batch 1 and 4). One face per run also bounds what ONNX Runtime's arena keeps (runtime/bounded-runs.ts).
/** Presence logit below which a face is meshed a second time (sharp frontal faces score 15–25; a blank crop −14). */
const REFINE_BELOW_PRESENCE = 0;

export interface CropLandmarks {
  /** x, y, z per point, in the crop's pixels. */
  points: Float32Array;
  /** The network's face-presence logit: low when the crop holds no face. */
  presence: number;
}

/** A face located by the detector's five landmarks in its image. */
export interface LocatedFace {
  image: ImageFrame;
  landmarks: Landmarks;
}

export interface MeasuredFace {
  /** x, y, z per point, in the image's pixels (z scaled as x and y). */
  mesh: Float32Array;
  /** BLENDSHAPE_NAMES order. */
  blendshapes: Float32Array;
  presence: number;
}

/** MediaPipe's blendshape network: 52 ARKit blendshapes from a mesh's 146-point subset. */
export class BlendshapeNetwork {
  private constructor(private readonly session: InferenceSession) {}

  static async load(task: Uint8Array, intraOpThreads: number): Promise<BlendshapeNetwork> {
    return new BlendshapeNetwork(await InferenceSession.create(blendshapesOnnx(task), sessionOptions(intraOpThreads)));
  }

  /** The 52 scores (BLENDSHAPE_NAMES order) of each mesh (x, y, z per point; x and y in pixels). */
  async score(meshes: readonly ArrayLike<number>[]): Promise<Float32Array[]> {
    const subset = BLENDSHAPE_LANDMARKS.length;
    const scored: Float32Array[] = [];
    for (const mesh of meshes) {
      const points = new Float32Array(subset * 2);
      BLENDSHAPE_LANDMARKS.forEach((index, k) => {
        points[k * 2] = mesh[index * 3]!;
        points[k * 2 + 1] = mesh[index * 3 + 1]!;
      });
      const scores = (await this.session.run({ points: new Tensor("float32", points, [1, subset, 2]) })).blendshapes!.data as Float32Array;
      // A degenerate mesh (all its points at one place) has no spread for the network to normalise by: its NaNs read as 0.
      scored.push(scores.map((v) => (Number.isFinite(v) ? v : 0)));
    }
    return scored;
  }
}

/** The landmark network and the blendshape network, for faces in images. */
export class FaceMeshNetworks {
  private constructor(private readonly mesh: InferenceSession, private readonly shapes: BlendshapeNetwork) {}

  static async load(taskPath: string, intraOpThreads: number): Promise<FaceMeshNetworks> {
    const task = new Uint8Array(readFileSync(taskPath));
    const [mesh, shapes] = await Promise.all([InferenceSession.create(faceMeshOnnx(task), sessionOptions(intraOpThreads)), BlendshapeNetwork.load(task, intraOpThreads)]);
    return new FaceMeshNetworks(mesh, shapes);
  }

  /** Each face's mesh in image pixels and its blendshapes; `template` places the five landmarks in the mesh crop (meshTemplate). */
  async measure(faces: readonly LocatedFace[], template: Landmarks): Promise<MeasuredFace[]> {
    if (faces.length === 0) return [];
    const crops = faces.map((face) => meshCrop(face.image, face.landmarks, template));
    const found = await this.landmarks(crops.map((crop) => crop.pixels));
    const meshes = found.map((f, n) => meshToImage(f.points, crops[n]!.toCrop));
    // A face the network is unsure of gets a second look through the crop its first mesh places, as
    // MediaPipe's tracking does from frame to frame; the more confident of the two is kept.
    for (const [n, first] of found.entries()) {
      if (first.presence >= REFINE_BELOW_PRESENCE) continue;
      const crop = meshRoiCrop(faces[n]!.image, meshes[n]!);
      const [second] = await this.landmarks([crop.pixels]);
      if (second!.presence <= first.presence) continue;
      found[n] = second!;
      meshes[n] = meshToImage(second!.points, crop.toCrop);
    }
    const blendshapes = await this.shapes.score(meshes);
    return meshes.map((mesh, n) => ({ mesh, blendshapes: blendshapes[n]!, presence: found[n]!.presence }));
  }

  /** The 478-point mesh of each crop (NHWC RGB in [0, 1], MESH_INPUT_SIZE²). */
  async landmarks(crops: readonly Float32Array[]): Promise<CropLandmarks[]> {
    const found: CropLandmarks[] = [];
    for (const crop of crops) {
      const result = await this.mesh.run({ image: new Tensor("float32", crop, [1, MESH_INPUT_SIZE, MESH_INPUT_SIZE, 3]) });
      found.push({ points: result.landmarks!.data as Float32Array, presence: (result.presence!.data as Float32Array)[0]! });
    }
    return found;
  }
}
