// The AsyncAPI document (docs/asyncapi.json) against the server's own validator: the committed file is
// the current one, and its request schema (checked with Ajv, a JSON Schema validator we did not write)
// accepts exactly the requests validateRequest accepts, over valid, edge and invalid requests.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { PACKAGE_ROOT, packageInfo } from "../runtime/paths.js";
import { asyncApiDocument } from "./asyncapi.js";
import { validateRequest } from "./request.js";

const require = createRequire(import.meta.url);
type AjvClass = new (options: Record<string, unknown>) => { compile(schema: unknown): ((data: unknown) => boolean) & { errors?: unknown } };
const Ajv = require("ajv") as AjvClass;

const committed = JSON.parse(readFileSync(`${PACKAGE_ROOT}docs/asyncapi.json`, "utf8")) as Record<string, unknown>;

/** Requests across every key, type, range and rule the validator has: valid ones, edges, and wrong ones. */
const REQUESTS: unknown[] = [
  {}, { data: "hi", raw_text: true, models: { language: {} } }, { data: "hi", models: {} }, { data: "hi" }, { data: "hi", models: null },
  { data: "hi", models: { face: null } }, { data: "hi", models: { face: null, prosody: {} } }, { data: null, models: {} }, { data: 5, models: { face: {} } },
  { models: { burst: {}, face: {}, facemesh: {}, language: {}, prosody: {} } }, { models: { voice: {} } }, { models: [] }, { models: "face" },
  { models: { face: [] } }, { models: { prosody: { granularity: "word" } } }, { models: { burst: 1 } },
  { models: { face: { fps_pred: 0, prob_threshold: 0, min_face_size: 0 } } }, { models: { face: { fps_pred: 1000, prob_threshold: 1, min_face_size: 1_000_000 } } },
  { models: { face: { fps_pred: 1001 } } }, { models: { face: { prob_threshold: 1.5 } } }, { models: { face: { min_face_size: -1 } } }, { models: { face: { fps_pred: "3" } } },
  { models: { face: { fps_pred: null, facs: null, descriptions: null, identify_faces: null } } }, { models: { face: { facs: {}, descriptions: {} } } },
  { models: { face: { facs: true } } }, { models: { face: { identify_faces: true } } }, { models: { face: { identify_faces: 1 } } }, { models: { face: { identify_faces: 2 } } },
  { models: { face: { identify_faces: "yes" } } }, { models: { face: { save_faces: true } } }, { models: { face: { identifyFaces: true } } }, { models: { face: { colour: 1 } } },
  { models: { language: { granularity: "sentence", sentiment: {}, toxicity: {} } } }, { models: { language: { granularity: "paragraph" } } },
  { models: { language: { granularity: null } } }, { models: { language: { granularity: 3 } } }, { models: { language: { sentiment: true } } },
  { models: { language: { identify_speakers: true } } }, { models: { language: { toxicity: [] } } },
  { stream_window_ms: 500 }, { stream_window_ms: 10_000 }, { stream_window_ms: 499 }, { stream_window_ms: 10_001 }, { stream_window_ms: null }, { stream_window_ms: "5000" },
  { reset_stream: true }, { reset_stream: 0 }, { reset_stream: 1 }, { reset_stream: 0.5 }, { reset_stream: "true" }, { raw_text: null }, { job_details: false },
  { payload_id: "p" }, { payload_id: null }, { payload_id: 7 }, { unknown: 1 }, { streamWindowMs: 500 }, [], null, "text", 3,
];

describe("AsyncAPI document", () => {
  it("docs/asyncapi.json is the current document (regenerate: moodwire asyncapi > docs/asyncapi.json)", () => {
    assert.deepEqual(committed, JSON.parse(JSON.stringify(asyncApiDocument(packageInfo().version))));
  });

  it("its request schema accepts exactly what the server's validator accepts", () => {
    const components = committed.components as { schemas: Record<string, unknown> };
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile({ ...(components.schemas.StreamRequest as object), components });
    const disagreements = REQUESTS.filter((request) => validate(request) !== validateRequest(request).ok).map((request) => JSON.stringify(request));
    assert.deepEqual(disagreements, []);
    // The list covers both verdicts.
    assert.ok(REQUESTS.some((r) => validateRequest(r).ok) && REQUESTS.some((r) => !validateRequest(r).ok));
  });

  it("names every error and warning code and the three reply shapes", () => {
    const text = JSON.stringify(committed);
    for (const code of ["E0100", "E0101", "E0102", "E0203", "I0101", "W0101", "W0105"]) assert.ok(text.includes(`"${code}"`), code);
    const channel = (committed.channels as Record<string, { subscribe: { message: { oneOf: unknown[] } } }>)["/v0/stream/models"]!;
    assert.equal(channel.subscribe.message.oneOf.length, 3);
  });
});
