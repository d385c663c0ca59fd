// The face model (spec §2.1, §3.1 FaceItem): faces in images and video frames, each with its box,
// calibrated detection probability, identity and the 48 expressions, computed by ./kernel.js in the
// shared worker pool; a video's frames start there as ffmpeg decodes them (./frame-feed.js). With
// `facs` a face also carries its action units, with `descriptions` its 27 descriptions; the expressions
// read the action units whether or not they are asked for.

import type { DecodedMedia, DecodeNeeds, ImageFrame } from "../../media/types.js";
import { EXPRESSION_LABELS, FACE_DESCRIPTION_LABELS, FACS_LABELS, noDetection, type FaceConfig, type FacePrediction, type ModelOutput } from "../../protocol/index.js";
import { labelScores } from "../../protocol/node/index.js";
import type { KernelHandle } from "../../runtime/worker-pool.js";
import { dot } from "../../session/face-identities.js";
import type { FaceIdentityCache } from "../../session/types.js";
import type { ExpressionModel, FrameFeed, ModelFactory, ModelRuntimeOptions, PredictContext } from "../types.js";
import { missingFaceFiles, readFaceConfig, type FaceModelConfig } from "./config.js";
import { describeFace } from "./descriptions.js";
import { projectExpressions } from "./expressions.js";
import { FaceFrameFeed } from "./frame-feed.js";
import type { FaceKernelInput, FaceKernelOutput, FoundFace } from "./kernel-types.js";

/** Overlap with a face of the previous sampled frame that carries its identity over within a video, when
 * the two embeddings are not clearly of different people (a cut to another face at the same place). */
const CONTINUITY_IOU = 0.5;
const CONTINUITY_MIN_SIMILARITY = 0.5;

interface Sampled {
  index: number;
  time: number;
  image: ImageFrame;
}

function sampledFrames(media: DecodedMedia): Sampled[] {
  if (media.kind === "image") return [{ index: 0, time: 0, image: media.image }];
  if (media.kind === "video") return media.frames.map((f) => ({ index: f.index, time: f.time, image: f.image }));
  throw new Error(`the face model cannot read ${media.kind} media`);
}

type Box = FoundFace["box"];

function boxIou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  const inter = Math.max(0, w) * Math.max(0, h);
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Ids for every face of a payload's frames, in order: a face overlapping one of the previous sampled
 * frame keeps its id (box continuity), any other is matched by embedding; no two faces of a frame share one.
 */
export function identifyFaces(frames: FoundFace[][], cache: FaceIdentityCache, minSimilarity: number): string[][] {
  let previous: { box: Box; id: string; embedding: Float32Array }[] = [];
  return frames.map((faces) => {
    const taken = new Set<string>();
    const ids = faces.map((face) => {
      const match = previous.filter((p) => !taken.has(p.id)).map((p) => ({ p, iou: boxIou(p.box, face.box) })).sort((a, b) => b.iou - a.iou)[0];
      let id: string;
      if (match !== undefined && match.iou >= CONTINUITY_IOU && dot(match.p.embedding, face.embedding!) >= CONTINUITY_MIN_SIMILARITY) {
        id = match.p.id;
        cache.observe(id, face.embedding!);
      } else {
        id = cache.identify(face.embedding!, { minSimilarity, exclude: taken });
      }
      taken.add(id);
      return id;
    });
    previous = faces.map((face, i) => ({ box: face.box, id: ids[i]!, embedding: face.embedding! }));
    return ids;
  });
}

function round(value: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(value * k) / k;
}

class FaceModel implements ExpressionModel<"face"> {
  readonly name = "face" as const;
  private readonly kernel: KernelHandle<FaceKernelInput, FaceKernelOutput>;
  private readonly config: FaceModelConfig = readFaceConfig();

  constructor(options: ModelRuntimeOptions) {
    this.kernel = options.pool.add<FaceKernelInput, FaceKernelOutput>({
      url: new URL("./kernel.js", import.meta.url).href,
      // A batch holds a payload's frames (or those decoded while the previous batch ran); its work grows with their count.
      weight: (input) => Math.max(1, input.frames.length),
      maxWorkers: options.maxWorkers,
    });
  }

  async load(): Promise<void> {
    // One run through the pool checks the whole path (cloning, detection, classification) before ready.
    await this.kernel.run({ frames: [{ width: 64, height: 64, data: new Uint8Array(64 * 64 * 3) }], minProbability: 0.5, minFaceSize: 0, embed: true });
  }

  feedFrames(config: FaceConfig): FaceFrameFeed {
    const settings = { minProbability: config.prob_threshold, minFaceSize: config.min_face_size, embed: config.identify_faces };
    return new FaceFrameFeed(async (images) => (await this.kernel.run({ frames: images, ...settings })).frames);
  }

  async predict(media: DecodedMedia, config: FaceConfig, context: PredictContext, feed?: FrameFeed): Promise<ModelOutput<FacePrediction>> {
    const frames = sampledFrames(media);
    if (frames.length === 0) return noDetection("face");
    // Without a feed (a still image, or a caller that did not start one) every frame runs as one batch.
    const found = await (feed instanceof FaceFrameFeed ? feed : this.feedFrames(config)).finish(frames.map((f) => f.image));
    const ids = config.identify_faces ? identifyFaces(found, context.session.faceIdentities, this.config.identity.min_similarity) : undefined;
    const predictions: FacePrediction[] = [];
    found.forEach((faces, f) => {
      faces.forEach((face, n) => {
        const prediction: FacePrediction = {
          frame: frames[f]!.index,
          time: frames[f]!.time,
          bbox: { x: round(face.box.x, 1), y: round(face.box.y, 1), w: round(face.box.w, 1), h: round(face.box.h, 1) },
          prob: round(face.prob, 6),
          face_id: ids?.[f]?.[n] ?? "unknown",
          emotions: labelScores(EXPRESSION_LABELS, projectExpressions(face.classes, face.signals), 0),
        };
        // The signals begin with the FACS items, in FACS_LABELS order.
        if (config.facs) prediction.facs = labelScores(FACS_LABELS, face.signals.subarray(0, FACS_LABELS.length), 0);
        if (config.descriptions) prediction.descriptions = labelScores(FACE_DESCRIPTION_LABELS, describeFace(face.classes, face.signals), 0);
        predictions.push(prediction);
      });
    });
    return predictions.length === 0 ? noDetection("face") : { predictions };
  }
}

export const faceModel: ModelFactory<"face"> = {
  name: "face",
  needs: (config): DecodeNeeds => ({ frameRate: config.fps_pred, audio: false, audioWindow: false }),
  isInstalled: () => missingFaceFiles().length === 0,
  notInstalledReason: () =>
    `missing ${missingFaceFiles().join(", ")}. Third-party weights are fetched by \`npm run fetch-models\` (part of npm install) ` +
    "from their official URLs, or from a local mirror named by MOODWIRE_MODEL_MIRROR.",
  create(options: ModelRuntimeOptions): ExpressionModel<"face"> {
    return new FaceModel(options);
  },
  benchmark: async () => (await import("./benchmark.js")).faceBenchmarks(),
};
