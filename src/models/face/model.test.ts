// End-to-end checks of the face model through its factory and the worker pool, on the shared sample
// faces (astronaut.png, faces/): placement, rotation, size, border cuts, several faces, identities
// across payloads and video frames. Skipped, with a message, when the model or the samples are absent.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { decodeMedia, readPayload, type DecodedMedia } from "../../media/index.js";
import { DEFAULT_LIMITS, EXPRESSION_LABELS, FACE_DESCRIPTION_LABELS, FACS_LABELS, type FaceConfig, type FacePrediction, type ModelOutput } from "../../protocol/index.js";
import type { WorkerPool } from "../../runtime/worker-pool.js";
import { startModel } from "../../../tests/support/model-harness.js";
import { ConnectionSession } from "../../session/session.js";
import { ffmpegAvailable, MediaFixtures } from "../../../tests/support/media.js";
import type { ExpressionModel } from "../types.js";
import { faceModel } from "./index.js";
import { faceCanvas, faceSamplePath } from "./sample-media.js";

const SKIP = !faceModel.isInstalled()
  ? `the face model is not installed: ${faceModel.notInstalledReason?.()}`
  : faceSamplePath("astronaut.png") === undefined
    ? "the shared samples (astronaut.png, faces/) are absent: set MOODWIRE_SHARED"
    : false;
if (SKIP !== false) console.log(`# face model tests skipped: ${SKIP}`);

const DEFAULTS: FaceConfig = { facs: false, descriptions: false, identify_faces: false, fps_pred: 3, prob_threshold: 0.99, min_face_size: 60 };
let model: ExpressionModel<"face">;
let pool: WorkerPool | undefined;
const fixtures = new MediaFixtures();

before(async () => {
  if (SKIP !== false) return;
  ({ model, pool } = await startModel(faceModel, { maxBatch: 64 }));
});

after(async () => {
  fixtures.dispose();
  await pool?.close();
});

async function decode(bytes: Buffer, config: FaceConfig): Promise<DecodedMedia> {
  return decodeMedia(readPayload(bytes.toString("base64"), false, DEFAULT_LIMITS), faceModel.needs(config), DEFAULT_LIMITS);
}

async function faces(bytes: Buffer, config: Partial<FaceConfig> = {}, session = new ConnectionSession()): Promise<ModelOutput<FacePrediction>> {
  const full = { ...DEFAULTS, ...config };
  return model.predict(await decode(bytes, full), full, { session });
}

function predictions(output: ModelOutput<FacePrediction>): FacePrediction[] {
  assert.ok("predictions" in output, `expected faces, got ${JSON.stringify(output)}`);
  return output.predictions;
}

function top(prediction: FacePrediction, n: number): string[] {
  return [...prediction.emotions].sort((a, b) => b.score - a.score).slice(0, n).map((e) => e.name);
}

const T = { skip: SKIP, timeout: 120_000 };

describe("face model on images", () => {
  it("finds the astronaut's one smiling face, Joy and Amusement above every other expression", T, async () => {
    const [face, ...rest] = predictions(await faces(await faceCanvas(640, 480, [{ sample: "astronaut.png", width: 480, left: 80, top: 0 }])));
    assert.equal(rest.length, 0);
    assert.equal(face!.frame, 0);
    assert.equal(face!.time, 0);
    assert.equal(face!.face_id, "unknown");
    assert.ok(face!.prob >= 0.99 && face!.prob <= 1);
    assert.deepEqual(face!.emotions.map((e) => e.name), [...EXPRESSION_LABELS]);
    assert.deepEqual(top(face!, 2).sort(), ["Amusement", "Joy"]);
    // The box is in the submitted image's pixels, around the face (sample 512 px → 480: x 168–253).
    assert.ok(face!.bbox.x > 220 && face!.bbox.x < 290 && face!.bbox.w > 60 && face!.bbox.w < 130, JSON.stringify(face!.bbox));
  });

  it("answers a blank image with the nested no-face warning", T, async () => {
    assert.deepEqual(await faces(await faceCanvas(640, 480, [])), { warning: "No faces detected.", code: "W0103" });
  });

  it("finds faces rotated by ±30°", T, async () => {
    for (const rotate of [30, -30]) {
      const image = await faceCanvas(800, 800, [{ sample: "faces/obama.jpg", width: 500, left: 100, top: 50, rotate }]);
      assert.equal(predictions(await faces(image)).length, 1, `${rotate}°`);
    }
  });

  it("finds a small face in a large frame and several faces in one image", T, async () => {
    // Biden's face is about a third of the sample's width: at 220 px wide it is ~70 px in a 1280×720 frame.
    const small = predictions(await faces(await faceCanvas(1280, 720, [{ sample: "faces/biden.jpg", width: 220, left: 900, top: 100 }])));
    assert.equal(small.length, 1);
    assert.ok(small[0]!.bbox.w >= 60 && small[0]!.bbox.w < 100, JSON.stringify(small[0]!.bbox));
    const group = await faceCanvas(1280, 720, [
      { sample: "astronaut.png", width: 400, left: 0, top: 100 },
      { sample: "faces/obama.jpg", width: 400, left: 430, top: 50 },
      { sample: "faces/biden.jpg", width: 400, left: 860, top: 0 },
    ]);
    const found = predictions(await faces(group));
    assert.equal(found.length, 3);
    assert.deepEqual(found.map((f) => Math.floor(f.bbox.x / 430)).sort(), [0, 1, 2]);
  });

  it("finds a face cut by the image border and clips its box to the image", T, async () => {
    // The astronaut's face spans x 179–270 of 512: shifted left by 200 px, a quarter of it is outside.
    const [face] = predictions(await faces(await faceCanvas(640, 480, [{ sample: "astronaut.png", width: 512, left: -200, top: 0 }])));
    assert.equal(face!.bbox.x, 0);
    assert.ok(face!.bbox.w >= 60 && face!.bbox.w < 85, JSON.stringify(face!.bbox));
  });

  it("honours min_face_size and prob_threshold", T, async () => {
    const image = await faceCanvas(640, 480, [{ sample: "astronaut.png", width: 480, left: 80, top: 0 }]);
    assert.equal(predictions(await faces(image, { min_face_size: 0, prob_threshold: 0 })).length, 1);
    assert.equal("warning" in (await faces(image, { min_face_size: 200 })), true);
    assert.equal("warning" in (await faces(image, { prob_threshold: 1 })), true);
  });
});

describe("face geometry: action units and descriptions", () => {
  const score = (items: { name: string; score: number }[] | undefined, name: string) => items!.find((item) => item.name === name)!.score;

  it("adds facs and descriptions only when asked, every item in [0, 1], in the protocol's order", T, async () => {
    const image = await faceCanvas(640, 480, [{ sample: "astronaut.png", width: 480, left: 80, top: 0 }]);
    const [plain] = predictions(await faces(image));
    assert.equal(plain!.facs, undefined);
    assert.equal(plain!.descriptions, undefined);
    const [full] = predictions(await faces(image, { facs: true, descriptions: true }));
    assert.deepEqual(full!.facs!.map((f) => f.name), [...FACS_LABELS]);
    assert.deepEqual(full!.descriptions!.map((d) => d.name), [...FACE_DESCRIPTION_LABELS]);
    for (const item of [...full!.facs!, ...full!.descriptions!]) assert.ok(item.score >= 0 && item.score <= 1, `${item.name} ${item.score}`);
    assert.deepEqual(full!.emotions, plain!.emotions);
  });

  it("reads a smile as AU12 and Smile, stronger on the smiling faces than on Biden's closed mouth", T, async () => {
    const measure = async (sample: string) => predictions(await faces(await faceCanvas(640, 480, [{ sample, width: 420, left: 110, top: 0 }]), { facs: true, descriptions: true }))[0]!;
    const astronaut = await measure("astronaut.png");
    const obama = await measure("faces/obama.jpg");
    const biden = await measure("faces/biden.jpg");
    for (const smiling of [astronaut, obama]) {
      assert.ok(score(smiling.facs, "AU12 Lip Corner Puller") > 0.5, JSON.stringify(smiling.facs));
      assert.ok(score(smiling.facs, "AU12 Lip Corner Puller") > score(biden.facs, "AU12 Lip Corner Puller") + 0.3);
      assert.ok(score(smiling.descriptions, "Smile") > score(biden.descriptions, "Smile") + 0.3);
    }
    // The limited items have no landmarks to read: they stay at 0.
    for (const name of ["AU19 Tongue Show", "Hand over Mouth", "Hand over Face"]) assert.equal(score(biden.facs, name), 0);
  });

  it("gives a mirrored face the same units", T, async () => {
    const measure = async (flop: boolean) => predictions(await faces(await faceCanvas(640, 480, [{ sample: "faces/obama.jpg", width: 400, left: 120, top: 20, flop }]), { facs: true }))[0]!;
    const [plain, mirrored] = [await measure(false), await measure(true)];
    for (const name of ["AU12 Lip Corner Puller", "AU4 Brow Lowerer", "AU25 Lips Part"]) {
      assert.ok(Math.abs(score(plain.facs, name) - score(mirrored.facs, name)) < 0.15, `${name}: ${score(plain.facs, name)} vs ${score(mirrored.facs, name)}`);
    }
  });
});

describe("face identities", () => {
  it("keeps one person's id across payloads and gives another person another", T, async () => {
    const session = new ConnectionSession();
    const id = async (sample: string): Promise<string> => {
      const image = await faceCanvas(800, 800, [{ sample, width: 600, left: 100, top: 0 }]);
      return predictions(await faces(image, { identify_faces: true }, session))[0]!.face_id;
    };
    const obama = await id("faces/obama.jpg");
    const biden = await id("faces/biden.jpg");
    assert.match(obama, /^face_\d+$/);
    assert.notEqual(obama, biden);
    assert.equal(await id("faces/obama2.jpg"), obama);
    assert.equal(await id("faces/biden.jpg"), biden);
  });

  const VIDEO = { ...T, skip: SKIP !== false ? SKIP : ffmpegAvailable() ? false : "ffmpeg is not installed" };
  it("samples video at fps_pred, with source frame indices, times and ids that follow each face", VIDEO, async () => {
    const still = async (sample: string, name: string): Promise<string> => {
      const path = `${fixtures.dir}/${name}.jpg`;
      writeFileSync(path, await faceCanvas(640, 480, [{ sample, width: 400, left: 120, top: 20 }]));
      return path;
    };
    const astronaut = await still("astronaut.png", "a");
    const obama = await still("faces/obama.jpg", "b");
    // Two seconds of the astronaut, zoomed in and panning, then two of Obama.
    const video = fixtures.generate("faces.mp4", [
      "-loop", "1", "-t", "2", "-i", astronaut, "-loop", "1", "-t", "2", "-i", obama,
      "-filter_complex", "[0:v]fps=25,crop=w=560:h=420:x='t*35':y='t*25',scale=640:480,setsar=1[a];[1:v]fps=25,setsar=1[b];[a][b]concat=n=2:v=1[v]",
      "-map", "[v]", "-c:v", "libx264", "-pix_fmt", "yuv420p",
    ]);
    const found = predictions(await faces(video, { identify_faces: true, fps_pred: 2 }));
    const frames = [...new Set(found.map((f) => f.frame))];
    assert.ok(frames.length >= 7 && frames.length <= 9, `frames ${frames}`);
    assert.deepEqual(frames, [...frames].sort((a, b) => a - b));
    for (const f of found) assert.ok(Math.abs(f.time! - f.frame / 25) < 0.05, `frame ${f.frame} at ${f.time}`);
    const early = new Set(found.filter((f) => f.time! < 1.9).map((f) => f.face_id));
    const late = new Set(found.filter((f) => f.time! > 2.1).map((f) => f.face_id));
    assert.equal(early.size, 1);
    assert.equal(late.size, 1);
    assert.notDeepEqual([...early], [...late]);

    // Frames fed to the model while the video still decodes (as the server does) give the same answer.
    const config = { ...DEFAULTS, identify_faces: true, fps_pred: 2 };
    const feed = model.feedFrames!(config);
    const media = await decodeMedia(readPayload(video.toString("base64"), false, DEFAULT_LIMITS), faceModel.needs(config), DEFAULT_LIMITS, { onFrame: (frame) => feed.add(frame) });
    assert.deepEqual(predictions(await model.predict(media, config, { session: new ConnectionSession() }, feed)), found);
  });
});
