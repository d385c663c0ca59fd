// Wire types of the v0 streaming protocol (spec §2, §3), snake_case as on the wire.

export const MODEL_NAMES = ["burst", "face", "facemesh", "language", "prosody"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Media kinds detected from the payload bytes (spec §2.6). */
export type MediaKind = "text" | "image" | "audio" | "video" | "facemesh";

export const LANGUAGE_GRANULARITIES = ["word", "sentence", "utterance", "passage", "conversational_turn"] as const;
export type LanguageGranularity = (typeof LANGUAGE_GRANULARITIES)[number];

export interface FaceConfig {
  facs: boolean;
  descriptions: boolean;
  identify_faces: boolean;
  fps_pred: number;
  prob_threshold: number;
  min_face_size: number;
}

export interface LanguageConfig {
  granularity: LanguageGranularity;
  sentiment: boolean;
  toxicity: boolean;
}

/** Streaming burst, prosody and facemesh take no configuration (spec §2.3). */
export type EmptyConfig = Record<string, never>;

export interface ModelConfigs {
  face?: FaceConfig;
  language?: LanguageConfig;
  burst?: EmptyConfig;
  prosody?: EmptyConfig;
  facemesh?: EmptyConfig;
}

/** A validated request with defaults applied. */
export interface StreamRequest {
  data?: string;
  models: ModelConfigs;
  stream_window_ms: number;
  reset_stream: boolean;
  raw_text: boolean;
  job_details: boolean;
  payload_id?: string;
}

export interface Score {
  name: string;
  score: number;
}

export interface TimeRange {
  begin: number;
  end: number;
}

export interface TextPosition {
  begin: number;
  end: number;
}

export interface BoundingBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface LanguagePrediction {
  text: string;
  position: TextPosition;
  emotions: Score[];
  sentiment?: Score[];
  toxicity?: Score[];
}

export interface FacePrediction {
  frame: number;
  time: number | null;
  bbox: BoundingBox;
  prob: number;
  face_id: string;
  emotions: Score[];
  facs?: Score[];
  descriptions?: Score[];
}

export interface TimedPrediction {
  time: TimeRange;
  emotions: Score[];
}

export interface FacemeshPrediction {
  emotions: Score[];
}

export interface PredictionsByModel {
  burst: TimedPrediction;
  face: FacePrediction;
  facemesh: FacemeshPrediction;
  language: LanguagePrediction;
  prosody: TimedPrediction;
}

/** A model's "found nothing" answer, nested under its name with predictions omitted (spec §3.3). */
export interface NestedWarning {
  warning: string;
  code: string;
}

/** What one model contributes to a reply: predictions, or a nested warning with predictions omitted. */
export type ModelOutput<P = unknown> = { predictions: P[] } | NestedWarning;

export interface JobDetails {
  job_id: string;
}

export interface PredictionsReply {
  payload_id?: string;
  job_details?: JobDetails;
  burst?: ModelOutput<TimedPrediction>;
  face?: ModelOutput<FacePrediction>;
  facemesh?: ModelOutput<FacemeshPrediction>;
  language?: ModelOutput<LanguagePrediction>;
  prosody?: ModelOutput<TimedPrediction>;
}

export interface ErrorReply {
  error: string;
  code: string;
  payload_id?: string;
  job_details?: JobDetails;
}

export type StreamReply = PredictionsReply | ErrorReply;
