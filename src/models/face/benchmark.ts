// The face model's benchmarks, reached through faceModel.benchmark():
// * `face` (alias `image`): 640×480 webcam-sized JPEGs with one face, with `facs` and `descriptions`.
//   Eight distinct frames (the shared sample faces at different sizes, places and mirrored) so outputs
//   do not repeat. (Emotions alone cost the same: the mesh runs for every face, the expressions read it.)
// * `face-video` (alias `video`): 5 s H.264 640×480 25 fps clips of a panning face at fps_pred 3 (15 frames).
// Both need the shared samples (MOODWIRE_SHARED) and ffmpeg; without them the benchmark is unavailable.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeMedia, readPayload } from "../../media/index.js";
import type { ImageFrame } from "../../media/types.js";
import { DEFAULT_LIMITS } from "../../protocol/index.js";
import type { BenchmarkFigures, BenchmarkMessage, BenchmarkRunner, ModelBenchmark } from "../benchmark.js";
import { FaceKernel } from "./kernel.js";
import type { FaceKernelInput } from "./kernel-types.js";
import { faceCanvas, type Placement } from "./sample-media.js";

/** Eight webcam frames: the shared sample faces at different sizes and places, some mirrored. */
const FRAMES: readonly Placement[] = [
  { sample: "astronaut.png", width: 480, left: 80, top: 0 },
  { sample: "astronaut.png", width: 420, left: 20, top: 40, flop: true },
  { sample: "faces/obama.jpg", width: 360, left: 140, top: 10 },
  { sample: "faces/obama2.jpg", width: 300, left: 200, top: 0, flop: true },
  { sample: "faces/biden.jpg", width: 420, left: 110, top: 0 },
  { sample: "astronaut.png", width: 560, left: 40, top: -60 },
  { sample: "faces/obama.jpg", width: 420, left: 60, top: -20, flop: true },
  { sample: "faces/biden.jpg", width: 360, left: 240, top: 20, flop: true },
];

/** A 5 s clip panning across one of the frames. */
function panningClip(still: Buffer, dx: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "moodwire-bench-"));
  try {
    const input = join(dir, "still.jpg");
    const output = join(dir, "clip.mp4");
    writeFileSync(input, still);
    execFileSync("ffmpeg", ["-nostdin", "-loglevel", "error", "-loop", "1", "-t", "5", "-i", input,
      "-vf", `fps=25,crop=w=560:h=420:x='${dx}*t':y='10*t',scale=640:480`, "-c:v", "libx264", "-pix_fmt", "yuv420p", output]);
    return readFileSync(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The kernel called directly in the calling thread: one intra-op thread, one payload at a time. */
async function kernelAlone(inputs: FaceKernelInput[], what: string): Promise<BenchmarkRunner> {
  const kernel = new FaceKernel();
  await kernel.load({ intraOpThreads: 1 });
  return {
    method: `face kernel (kernel.js) run([input]) in the bench process on ${what} decoded beforehand, 1 intra-op thread`,
    run: (i) => kernel.run([inputs[i % inputs.length]!]),
    close: async () => undefined,
  };
}

async function decodedFrames(bytes: Buffer, fps: number): Promise<ImageFrame[]> {
  const media = await decodeMedia(readPayload(bytes.toString("base64"), false, DEFAULT_LIMITS), { frameRate: fps, audio: false, audioWindow: false }, DEFAULT_LIMITS);
  if (media.kind === "image") return [media.image];
  if (media.kind === "video") return media.frames.map((f) => f.image);
  throw new Error(`benchmark media decoded as ${media.kind}`);
}

function kernelInput(frames: ImageFrame[]): FaceKernelInput {
  return { frames, minProbability: 0.99, minFaceSize: 60, embed: false };
}

export async function faceBenchmarks(): Promise<ModelBenchmark[]> {
  const stills = await Promise.all(FRAMES.map((frame) => faceCanvas(640, 480, [frame], 85)));
  const imageMessages: BenchmarkMessage[] = stills.map((jpeg) => ({ data: jpeg.toString("base64"), models: { face: { facs: {}, descriptions: {} } } }));
  const clips = [panningClip(stills[0]!, 12), panningClip(stills[2]!, -8)];
  const videoMessages: BenchmarkMessage[] = clips.map((clip) => ({ data: clip.toString("base64"), models: { face: { fps_pred: 3 } } }));
  const image: ModelBenchmark = {
    scenarios: ["face", "image"],
    messages: imageMessages,
    inputs: { image: "8 distinct 640×480 JPEGs (quality 85), one face each (shared samples), face: {facs: {}, descriptions: {}}" },
    defaults: { connections: 8, payloads: 5000 },
    modelAlone: async () => kernelAlone(await Promise.all(stills.map(async (jpeg) => kernelInput(await decodedFrames(jpeg, 0)))), "the JPEGs"),
    bars: (figures: BenchmarkFigures) => ({ issue16_facs_descriptions_e2e_p50_le_60ms: figures.e2eP50Ms <= 60 }),
  };
  const video: ModelBenchmark = {
    scenarios: ["face-video", "video"],
    messages: videoMessages,
    inputs: { video: "2 distinct 5 s H.264 640×480 25 fps clips panning over one face, face: {fps_pred: 3} (15 frames each)" },
    defaults: { connections: 2, payloads: 100, sequential: 40, modelIterations: 40 },
    modelAlone: async () => kernelAlone(await Promise.all(clips.map(async (clip) => kernelInput(await decodedFrames(clip, 3)))), "the clips' frames at 3 fps"),
    bars: (figures: BenchmarkFigures) => ({ issue15_video_5s_fps3_e2e_p50_le_800ms: figures.e2eP50Ms <= 800 }),
  };
  return [image, video];
}
