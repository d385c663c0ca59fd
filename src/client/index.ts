// moodwire/client: a client for any server speaking Hume's v0 streaming protocol.

export { connect, StreamSocket, DEFAULT_URL, streamUrl } from "./socket.js";
export type { ConnectOptions, FileInput, SendOptions, StreamReply } from "./socket.js";
export { toWireModels } from "./config.js";
export type { FaceOptions, LanguageOptions, StreamConfig, WireModels } from "./config.js";
export { StreamConnectionError, StreamError, StreamProtocolError } from "./errors.js";
export { chunkText, shiftLanguagePrediction, wavWindows } from "./chunking.js";
export type { TextChunk, WavWindow } from "./chunking.js";
export { encodeWav } from "./wav.js";
export { formatScores, hasPredictions, isWarning, predictionsOf, topScores, warningsOf } from "./replies.js";
export type { WarningOutput } from "./replies.js";
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
