// The streaming protocol as an AsyncAPI 2.6 document, built from the same constants the request
// validator and the reply writer use (keys, ranges, defaults, labels, codes), so that the published
// description cannot drift from what the server does. docs/asyncapi.json is this document, written by
// `moodwire asyncapi`; a test checks the file is current and that the schema accepts exactly the
// requests the validator accepts. Pure: no I/O.

import { CODE_DESCRIPTIONS, ErrorCode, WarningCode } from "./codes.js";
import { STREAM_PATH } from "./endpoint.js";
import { EXPRESSION_LABELS, FACE_DESCRIPTION_LABELS, FACS_LABELS, LANGUAGE_EMOTION_LABELS, SENTIMENT_LABELS, TOXICITY_LABELS } from "./labels.js";
import { STREAM_WINDOW_MS } from "./limits.js";
import { FACE_DEFAULTS, FACE_KEYS, FACE_RANGES, IGNORED_BATCH_KEYS, LANGUAGE_DEFAULTS, LANGUAGE_KEYS, MAX_REQUEST_DEPTH, TOP_LEVEL_KEYS } from "./request.js";
import { LANGUAGE_GRANULARITIES, MODEL_NAMES } from "./types.js";

type Schema = Record<string, unknown>;

/** A flag: JSON booleans, 0 and 1; null or absent is false. */
const FLAG: Schema = { oneOf: [{ type: "boolean" }, { enum: [0, 1] }, { type: "null" }] };
/** An optional output: an object (even {}) turns it on; null or absent leaves it off. */
const PRESENCE: Schema = { type: ["object", "null"] };
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const codeList = (codes: readonly string[]): string => codes.map((code) => `${code}: ${CODE_DESCRIPTIONS[code as keyof typeof CODE_DESCRIPTIONS]}`).join("\n");

function numberIn(range: { min: number; max: number }, fallback: number, description: string): Schema {
  return { type: ["number", "null"], minimum: range.min, maximum: range.max, default: fallback, description };
}

const scores = (labels: readonly string[], what: string): Schema => ({
  type: "array",
  description: `${what}: one entry per label, in this order.`,
  items: { type: "object", required: ["name", "score"], additionalProperties: false, properties: { name: { enum: [...labels] }, score: { type: "number" } } },
});

const modelOutput = (item: string): Schema => ({
  oneOf: [
    { type: "object", required: ["predictions"], additionalProperties: false, properties: { predictions: { type: "array", items: ref(item) } } },
    ref("NestedWarning"),
  ],
});

const PREDICTION_ITEMS: Readonly<Record<(typeof MODEL_NAMES)[number], string>> = {
  burst: "TimedPrediction",
  face: "FacePrediction",
  facemesh: "FacemeshPrediction",
  language: "LanguagePrediction",
  prosody: "TimedPrediction",
};

function schemas(): Record<string, Schema> {
  const ignored = (model: "face" | "language") => Object.fromEntries((IGNORED_BATCH_KEYS[model] ?? []).map((key) => [key, { description: "Batch-only option: accepted and ignored." }]));
  const request: Schema = {
    type: "object",
    additionalProperties: false,
    description: `One payload. Unknown keys are refused (E0101); objects and arrays may nest at most ${MAX_REQUEST_DEPTH} levels.`,
    properties: {
      data: { type: ["string", "null"], description: "The media, base64 (image, audio, video, facemesh JSON), or plain text with raw_text." },
      models: ref("Models"),
      stream_window_ms: numberIn(STREAM_WINDOW_MS, STREAM_WINDOW_MS.default, "Length of the audio context window (burst, prosody)."),
      reset_stream: { ...FLAG, description: "Empty the stream window (and the speaker statistics) before this payload." },
      raw_text: { ...FLAG, description: "data is plain text, not base64." },
      job_details: { ...FLAG, description: "Reply with the connection's job id." },
      payload_id: { type: ["string", "null"], description: "Echoed in the reply." },
    },
    // With data, at least one model must be asked for.
    if: { required: ["data"], properties: { data: { type: "string" } } },
    then: { required: ["models"], properties: { models: { type: "object", anyOf: MODEL_NAMES.map((name) => ({ required: [name], properties: { [name]: { type: "object" } } })) } } },
  };
  if (Object.keys(request.properties as Schema).join() !== TOP_LEVEL_KEYS.join()) throw new Error("asyncapi: request keys drifted from the validator's");
  return {
    StreamRequest: request,
    Models: {
      type: ["object", "null"],
      additionalProperties: false,
      description: "Which models run on this payload: a key's presence (even {}) enables it.",
      properties: {
        burst: { type: ["object", "null"], description: "Vocal bursts. Takes no streaming options." },
        face: ref("FaceConfig"),
        facemesh: { type: ["object", "null"], description: "Facial expressions from MediaPipe landmarks. Takes no streaming options." },
        language: ref("LanguageConfig"),
        prosody: { type: ["object", "null"], description: "Speech prosody. Takes no streaming options." },
      },
    },
    FaceConfig: {
      type: ["object", "null"],
      additionalProperties: false,
      properties: {
        facs: { ...PRESENCE, description: "Add FACS action units." },
        descriptions: { ...PRESENCE, description: "Add face descriptions." },
        identify_faces: { ...FLAG, description: "Stable face ids across the connection's payloads." },
        fps_pred: numberIn(FACE_RANGES.fps_pred, FACE_DEFAULTS.fps_pred, "Video frames analysed per second (0: every frame)."),
        prob_threshold: numberIn(FACE_RANGES.prob_threshold, FACE_DEFAULTS.prob_threshold, "Least detector probability of a face."),
        min_face_size: numberIn(FACE_RANGES.min_face_size, FACE_DEFAULTS.min_face_size, "Least face size, pixels."),
        ...ignored("face"),
      },
    },
    LanguageConfig: {
      type: ["object", "null"],
      additionalProperties: false,
      properties: {
        granularity: { enum: [...LANGUAGE_GRANULARITIES, null], default: LANGUAGE_DEFAULTS.granularity },
        sentiment: { ...PRESENCE, description: "Add sentiment (1-9)." },
        toxicity: { ...PRESENCE, description: "Add toxicity." },
        ...ignored("language"),
      },
    },
    PredictionsReply: {
      type: "object",
      description: "Each requested model's predictions, or its nested warning when it found nothing.",
      properties: {
        payload_id: { type: "string" },
        job_details: ref("JobDetails"),
        ...Object.fromEntries(MODEL_NAMES.map((name) => [name, modelOutput(PREDICTION_ITEMS[name])])),
      },
    },
    ErrorReply: {
      type: "object",
      required: ["error", "code"],
      properties: {
        error: { type: "string" },
        code: { enum: Object.values(ErrorCode), description: codeList(Object.values(ErrorCode)) },
        payload_id: { type: "string" },
        job_details: ref("JobDetails"),
      },
    },
    WarningReply: {
      type: "object",
      required: ["warning", "code"],
      properties: { warning: { type: "string" }, code: { type: "string" }, payload_id: { type: "string" }, job_details: ref("JobDetails") },
    },
    NestedWarning: {
      type: "object",
      required: ["warning", "code"],
      additionalProperties: false,
      properties: { warning: { type: "string" }, code: { enum: Object.values(WarningCode), description: codeList(Object.values(WarningCode)) } },
    },
    JobDetails: { type: "object", required: ["job_id"], properties: { job_id: { type: "string" } } },
    TimeRange: { type: "object", required: ["begin", "end"], properties: { begin: { type: "number" }, end: { type: "number" } } },
    TimedPrediction: {
      type: "object",
      required: ["time", "emotions"],
      description: "A speech segment (prosody) or a vocal burst, seconds on the connection's stream timeline.",
      properties: { time: ref("TimeRange"), emotions: scores(EXPRESSION_LABELS, "The 48 expressions") },
    },
    FacePrediction: {
      type: "object",
      required: ["frame", "time", "bbox", "prob", "face_id", "emotions"],
      properties: {
        frame: { type: "integer" },
        time: { type: ["number", "null"] },
        bbox: { type: "object", required: ["x", "y", "w", "h"], properties: { x: { type: "number" }, y: { type: "number" }, w: { type: "number" }, h: { type: "number" } } },
        prob: { type: "number" },
        face_id: { type: "string" },
        emotions: scores(EXPRESSION_LABELS, "The 48 expressions"),
        facs: scores(FACS_LABELS, "Action units (with facs)"),
        descriptions: scores(FACE_DESCRIPTION_LABELS, "Descriptions (with descriptions)"),
      },
    },
    FacemeshPrediction: { type: "object", required: ["emotions"], properties: { emotions: scores(EXPRESSION_LABELS, "The 48 expressions") } },
    LanguagePrediction: {
      type: "object",
      required: ["text", "position", "emotions"],
      properties: {
        text: { type: "string" },
        position: { type: "object", required: ["begin", "end"], properties: { begin: { type: "integer" }, end: { type: "integer" } }, description: "Code-point offsets in the text." },
        emotions: scores(LANGUAGE_EMOTION_LABELS, "The 53 emotions"),
        sentiment: scores(SENTIMENT_LABELS, "Sentiment levels (with sentiment)"),
        toxicity: scores(TOXICITY_LABELS, "Toxicity (with toxicity)"),
      },
    },
  };
}

/** The AsyncAPI 2.6 document of the streaming endpoint. */
export function asyncApiDocument(version: string): Record<string, unknown> {
  return {
    asyncapi: "2.6.0",
    info: {
      title: "Moodwire streaming API",
      version,
      description: "Wire-compatible with Hume AI's v0 Expression Measurement Streaming API: one JSON request per WebSocket message, exactly one JSON reply per request, in order.",
      license: { name: "Apache-2.0", url: "https://www.apache.org/licenses/LICENSE-2.0" },
    },
    defaultContentType: "application/json",
    servers: {
      local: { url: "127.0.0.1:8000", protocol: "ws", description: "moodwire serve (default host and port)", security: [{ apiKeyHeader: [] }, { apiKeyQuery: [] }] },
    },
    channels: {
      [STREAM_PATH]: {
        description: "The streaming endpoint. With API keys configured, the handshake needs X-Hume-Api-Key or ?apikey=.",
        publish: { operationId: "sendPayload", summary: "A payload to analyse.", message: { $ref: "#/components/messages/StreamRequest" } },
        subscribe: {
          operationId: "receiveReply",
          summary: "The reply to each payload, in order.",
          message: { oneOf: ["PredictionsReply", "ErrorReply", "WarningReply"].map((name) => ({ $ref: `#/components/messages/${name}` })) },
        },
      },
    },
    components: {
      messages: Object.fromEntries(["StreamRequest", "PredictionsReply", "ErrorReply", "WarningReply"].map((name) => [name, { name, payload: ref(name) }])),
      schemas: schemas(),
      securitySchemes: {
        apiKeyHeader: { type: "httpApiKey", name: "X-Hume-Api-Key", in: "header" },
        apiKeyQuery: { type: "httpApiKey", name: "apikey", in: "query" },
      },
    },
  };
}
