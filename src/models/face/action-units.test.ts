import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FACS_LABELS } from "../../protocol/index.js";
import { FACE_SIGNALS, faceSignals, headPitch, rawSignals, SIGNAL_COMPONENTS, type FaceSignal, type SignalCalibration } from "./action-units.js";
import { BLENDSHAPE_NAMES } from "./mediapipe.js";

/** A face whose points that the measures read sit where a frontal face's do (eye corners 100 px apart). */
function meshOf(moves: Record<number, [number, number, number]> = {}): Float32Array {
  const points: Record<number, [number, number, number]> = {
    33: [-50, 0, 0], 263: [50, 0, 0], 13: [0, 80, 0], 14: [0, 84, 0], 0: [0, 70, 0], 17: [0, 96, 0], 61: [-30, 82, 0], 291: [30, 82, 0],
    129: [-18, 50, 0], 358: [18, 50, 0], 98: [-14, 58, 0], 327: [14, 58, 0], 40: [-12, 72, 0], 270: [12, 72, 0], 10: [0, -70, 0], 152: [0, 130, 0],
    ...moves,
  };
  const mesh = new Float32Array(478 * 3);
  for (const [index, [x, y, z]] of Object.entries(points)) mesh.set([x, y, z], Number(index) * 3);
  return mesh;
}

function blendshapes(values: Partial<Record<(typeof BLENDSHAPE_NAMES)[number], number>> = {}): Float32Array {
  return Float32Array.from(BLENDSHAPE_NAMES, (name) => values[name] ?? 0);
}

/** Raw values of the plain face are the neutral end of each span; half a unit of raw value above them the extreme end. */
const CALIBRATION: SignalCalibration = (() => {
  const raw = rawSignals({ mesh: meshOf(), blendshapes: blendshapes() });
  return Object.fromEntries(FACE_SIGNALS.flatMap((s, i) => (raw[i]!.length === 0 ? [] : [[s, raw[i]!.map((v) => [v, v + 0.5] as const)]])));
})();

function score(signal: FaceSignal, mesh: Float32Array, shapes: Float32Array): number {
  return faceSignals({ mesh, blendshapes: shapes }, CALIBRATION)[FACE_SIGNALS.indexOf(signal)]!;
}

describe("face signals", () => {
  it("lists the 36 FACS items first, in the protocol's order", () => {
    assert.deepEqual(FACE_SIGNALS.slice(0, FACS_LABELS.length), [...FACS_LABELS]);
  });

  it("scores near 0 on every unit at the neutral end of the calibration, half at its middle, near 1 at its extreme end", () => {
    for (const value of faceSignals({ mesh: meshOf(), blendshapes: blendshapes() }, CALIBRATION)) assert.ok(value < 0.02, `${value}`);
    assert.ok(Math.abs(score("AU26 Jaw Drop", meshOf(), blendshapes({ jawOpen: 0.25 })) - 0.5) < 1e-6);
    assert.ok(score("AU26 Jaw Drop", meshOf(), blendshapes({ jawOpen: 0.5 })) > 0.98);
  });

  it("reads a unit with a blendshape counterpart from its left and right halves", () => {
    // Left 0.4 and right 0.1 average to 0.25, the middle of the span.
    assert.ok(Math.abs(score("AU12 Lip Corner Puller", meshOf(), blendshapes({ mouthSmileLeft: 0.4, mouthSmileRight: 0.1 })) - 0.5) < 1e-6);
    const rising = [0, 0.1, 0.2, 0.3, 0.4].map((v) => score("AU12 Lip Corner Puller", meshOf(), blendshapes({ mouthSmileLeft: v, mouthSmileRight: v })));
    rising.slice(1).forEach((value, i) => assert.ok(value > rising[i]!));
  });

  it("raises geometric units with their movement on the mesh, in eye-corner units", () => {
    const apart = (gap: number) => score("AU25 Lips Part", meshOf({ 14: [0, 80 + gap, 0] }), blendshapes());
    assert.ok(apart(4) < apart(20) && apart(20) < apart(40), `${apart(4)} ${apart(20)} ${apart(40)}`);
    // The same face twice as large measures the same.
    const large = meshOf({ 14: [0, 100, 0] }).map((v) => v * 2);
    assert.ok(Math.abs(score("AU25 Lips Part", large, blendshapes()) - apart(20)) < 1e-6);
    const nostrils = (half: number) => score("AU38 Nostril Dilate", meshOf({ 129: [-half, 50, 0], 358: [half, 50, 0] }), blendshapes());
    assert.ok(nostrils(18) < nostrils(30) && nostrils(30) < nostrils(40));
    const sucked = score("AU28 Lips Suck", meshOf({ 0: [0, 78, 0], 17: [0, 86, 0] }), blendshapes());
    assert.ok(sucked > 0.1, `${sucked}`);
  });

  it("tells head up from head down by the forehead-to-chin line's tilt", () => {
    const up = meshOf({ 10: [0, -70, 40], 152: [0, 130, -40] });
    assert.ok(headPitch(up) > 15);
    assert.ok(score("AU53 Head Up", up, blendshapes()) > 0 && score("AU54 Head Down", up, blendshapes()) === 0);
    const down = meshOf({ 10: [0, -70, -40], 152: [0, 130, 40] });
    assert.ok(score("AU54 Head Down", down, blendshapes()) > 0 && score("AU53 Head Up", down, blendshapes()) === 0);
  });

  it("scores one lip corner pulled higher than the other as unilateral, an even pull not", () => {
    const oneSided = meshOf({ 61: [-30, 40, 0] });
    assert.ok(score("Unilateral AU12/AU14", oneSided, blendshapes()) > 0.5);
    const even = meshOf({ 61: [-30, 40, 0], 291: [30, 40, 0] });
    assert.ok(score("Unilateral AU12/AU14", even, blendshapes()) < 0.02);
  });

  it("keeps the limited items (tongue, hands) at 0, and a degenerate mesh at 0 rather than NaN", () => {
    const limited = FACE_SIGNALS.filter((s) => SIGNAL_COMPONENTS[s] === undefined);
    assert.deepEqual(limited, ["AU19 Tongue Show", "AU37 Lip Wipe", "Hand over Mouth", "Hand over Eyes", "Hand over Forehead", "Hand over Face", "Hand touching Face / Head"]);
    for (const value of faceSignals({ mesh: new Float32Array(478 * 3), blendshapes: blendshapes() }, CALIBRATION)) assert.ok(value >= 0 && value <= 1);
  });

  it("refuses a config without a measured signal's calibration", () => {
    const { ["AU4 Brow Lowerer"]: _, ...partial } = CALIBRATION;
    assert.throws(() => faceSignals({ mesh: meshOf(), blendshapes: blendshapes() }, partial), /AU4 Brow Lowerer/);
  });
});
