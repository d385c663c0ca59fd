// moodwire/client: a client for any server speaking Hume's v0 streaming protocol.

import type { ModelName, ModelOutput, PredictionsByModel, PredictionsReply } from "../protocol/index.js";

export { connect, StreamSocket, DEFAULT_URL, streamUrl } from "./socket.js";
export type { ConnectOptions, FileInput, SendOptions, StreamReply } from "./socket.js";
export { toWireModels } from "./config.js";
export type { FaceOptions, LanguageOptions, StreamConfig, WireModels } from "./config.js";
export { StreamConnectionError, StreamError, StreamProtocolError } from "./errors.js";
export { chunkText, shiftLanguagePrediction, wavWindows } from "./chunking.js";
export type { TextChunk, WavWindow } from "./chunking.js";
export { encodeWav } from "./wav.js";
export { detectKind } from "./detect.js";
export type { DetectedKind } from "./detect.js";
export type {
  FacePrediction,
  FacemeshPrediction,
  JobDetails,
  LanguagePrediction,
  ModelName,
  ModelOutput,
  PredictionsByModel,
  PredictionsReply,
  Score,
  TimedPrediction,
} from "../protocol/index.js";

/** A model output that carries a nested warning instead of predictions (spec §3.3). */
export type WarningOutput = { warning: string; code: string };

/** True when a model's output is a nested warning (`{warning, code}`, predictions omitted). */
export function isWarning<P>(output: ModelOutput<P> | undefined | null): output is WarningOutput {
  return typeof output === "object" && output !== null && typeof (output as { warning?: unknown }).warning === "string";
}

/** True when a model's output carries predictions. */
export function hasPredictions<P>(output: ModelOutput<P> | undefined | null): output is { predictions: P[] } {
  return typeof output === "object" && output !== null && Array.isArray((output as { predictions?: unknown }).predictions);
}

/** The predictions of one model in a reply; [] when the model is absent or warned. */
export function predictionsOf<M extends ModelName>(reply: PredictionsReply, model: M): Array<PredictionsByModel[M]> {
  const output = reply[model] as ModelOutput<PredictionsByModel[M]> | undefined;
  return hasPredictions(output) ? output.predictions : [];
}

/** The nested warnings of a reply, by model. */
export function warningsOf(reply: PredictionsReply): Array<{ model: ModelName; warning: string; code: string }> {
  const out: Array<{ model: ModelName; warning: string; code: string }> = [];
  for (const model of ["burst", "face", "facemesh", "language", "prosody"] as const) {
    const output = reply[model];
    if (isWarning(output)) out.push({ model, warning: output.warning, code: output.code });
  }
  return out;
}
