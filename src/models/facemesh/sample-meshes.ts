// Landmark meshes of real faces, for the facemesh model's benchmark and tests: the shared sample photos
// (MOODWIRE_SHARED samples/) on a 640×480 canvas, meshed by the face model's own detector and mesh
// networks, so the meshes are what a MediaPipe client would send (pixels, MediaPipe's layout).

import sharp from "sharp";
import { sessionOptions } from "../../runtime/session-options.js";
import { faceModelFiles, readFaceConfig } from "../face/config.js";
import { detectFaces, loadDetector } from "../face/inference.js";
import { FaceMeshNetworks } from "../face/mesh-inference.js";
import { meshTemplate } from "../face/mesh.js";
import { faceCanvas, type Placement } from "../face/sample-media.js";

export const SAMPLE_WIDTH = 640;
export const SAMPLE_HEIGHT = 480;

/** One face per placement: 478 × [x, y, z] in the canvas's pixels. Throws when the shared samples are absent. */
export async function sampleMeshes(placements: readonly Placement[]): Promise<number[][][]> {
  const config = readFaceConfig();
  const files = faceModelFiles(config);
  const detector = await loadDetector(files.detector, sessionOptions(1));
  const networks = await FaceMeshNetworks.load(files.mesh, 1);
  const meshes: number[][][] = [];
  for (const placement of placements) {
    const jpeg = await faceCanvas(SAMPLE_WIDTH, SAMPLE_HEIGHT, [placement]);
    const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    const image = { width: info.width, height: info.height, data: new Uint8Array(data) };
    const [face] = await detectFaces(detector, image, config.detector);
    if (face === undefined) throw new Error(`no face found in the sample ${placement.sample}`);
    const [measured] = await networks.measure([{ image, landmarks: face.landmarks }], meshTemplate(config.alignment.template, config.alignment.size));
    meshes.push(Array.from({ length: measured!.mesh.length / 3 }, (_, i) => Array.from(measured!.mesh.subarray(i * 3, i * 3 + 3))));
  }
  await detector.release();
  return meshes;
}

/** A mesh as MediaPipe's normalised landmarks: x and z over the image's width, y over its height. */
export function normalisedMesh(mesh: readonly number[][]): number[][] {
  return mesh.map(([x, y, z]) => [x! / SAMPLE_WIDTH, y! / SAMPLE_HEIGHT, z! / SAMPLE_WIDTH]);
}
