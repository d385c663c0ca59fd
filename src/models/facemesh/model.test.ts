// End-to-end checks of the facemesh model through its factory and the worker pool, on meshes of the
// shared sample faces made by the face model's networks (./sample-meshes.ts). Skipped, with a message,
// when the model or the samples are absent.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EXPRESSION_LABELS, type FacemeshPrediction, type ModelOutput } from "../../protocol/index.js";
import type { WorkerPool } from "../../runtime/worker-pool.js";
import { startModel } from "../../../tests/support/model-harness.js";
import { ConnectionSession } from "../../session/session.js";
import { faceSamplePath } from "../face/sample-media.js";
import type { ExpressionModel } from "../types.js";
import { facemeshModel } from "./index.js";
import { normalisedMesh, sampleMeshes } from "./sample-meshes.js";

const SKIP = !facemeshModel.isInstalled()
  ? `the facemesh model is not installed: ${facemeshModel.notInstalledReason?.()}`
  : faceSamplePath("astronaut.png") === undefined
    ? "the shared samples (astronaut.png, faces/) are absent: set MOODWIRE_SHARED"
    : false;
if (SKIP !== false) console.log(`# facemesh model tests skipped: ${SKIP}`);

let model: ExpressionModel<"facemesh">;
let pool: WorkerPool | undefined;
let astronaut: number[][];
let biden: number[][];

before(async () => {
  if (SKIP !== false) return;
  ({ model, pool } = await startModel(facemeshModel));
  [astronaut, biden] = await sampleMeshes([{ sample: "astronaut.png", width: 420, left: 110, top: 0 }, { sample: "faces/biden.jpg", width: 420, left: 110, top: 0 }]) as [number[][], number[][]];
});

after(async () => {
  await pool?.close();
});

async function emotions(faces: number[][][]): Promise<Map<string, number>[]> {
  const output: ModelOutput<FacemeshPrediction> = await model.predict({ kind: "facemesh", faces }, {}, { session: new ConnectionSession() });
  assert.ok("predictions" in output);
  return output.predictions.map((p) => {
    assert.deepEqual(p.emotions.map((e) => e.name), [...EXPRESSION_LABELS]);
    return new Map(p.emotions.map((e) => [e.name, e.score]));
  });
}

const T = { skip: SKIP, timeout: 120_000 };

describe("facemesh model", () => {
  it("answers every face of a payload in order, the smiling one with Joy above Sadness and above the other face's Joy", T, async () => {
    const [smiling, plain] = await emotions([astronaut, biden]);
    for (const score of [...smiling!.values(), ...plain!.values()]) assert.ok(score >= 0 && score <= 1);
    assert.ok(smiling!.get("Joy")! > smiling!.get("Sadness")!);
    assert.ok(smiling!.get("Joy")! > plain!.get("Joy")! + 0.2, `${smiling!.get("Joy")} vs ${plain!.get("Joy")}`);
  });

  it("does not care where the face sat, how large it was, or whether it came in pixels or normalised", T, async () => {
    const moved = astronaut.map(([x, y, z]) => [x! * 1.7 + 40, y! * 1.7 - 30, z! * 1.7]);
    const [original, shifted, normalised] = await emotions([astronaut, moved, normalisedMesh(astronaut)]);
    for (const label of EXPRESSION_LABELS) {
      assert.ok(Math.abs(original!.get(label)! - shifted!.get(label)!) < 0.02, `${label} moved: ${original!.get(label)} vs ${shifted!.get(label)}`);
      assert.ok(Math.abs(original!.get(label)! - normalised!.get(label)!) < 0.1, `${label} normalised: ${original!.get(label)} vs ${normalised!.get(label)}`);
    }
  });

  it("answers a degenerate mesh (every point at the origin) with finite scores", T, async () => {
    const [scores] = await emotions([Array.from({ length: 478 }, () => [0, 0, 0])]);
    for (const score of scores!.values()) assert.ok(Number.isFinite(score) && score >= 0 && score <= 1);
  });
});
