// Per-connection state shared by the models of one connection (spec §1.3 item 6).

/** Audio context on the stream timeline: seconds since the stream started. */
export interface AudioWindowView {
  /** Samples in the current window (the last stream_window_ms of audio), AUDIO_SAMPLE_RATE mono. */
  samples: Float32Array;
  /** Stream time, in seconds, of the first sample of `samples`. */
  startTime: number;
}

export interface IdentifyOptions {
  /** Cosine similarity an embedding needs to join a known identity. */
  minSimilarity: number;
  /** Ids already given to other faces of the same frame. */
  exclude?: ReadonlySet<string>;
}

export interface FaceIdentityCache {
  /** Returns a stable id ("face_0", "face_1", …) for an embedding, adding it when new. */
  identify(embedding: Float32Array, options: IdentifyOptions): string;
  /** Records a sighting of a known identity (matched another way, e.g. by box continuity in a video). */
  observe(id: string, embedding: Float32Array): void;
}

export interface SessionView {
  readonly jobId: string;
  readonly faceIdentities: FaceIdentityCache;
  /** A model's state kept between the payloads of one stream under `key` (e.g. a speaker's running
   * statistics), made by `create` on first use and dropped by reset_stream. */
  streamState<T>(key: string, create: () => T): T;
}

/** What a model's predict() receives besides the media and its config. */
export interface PredictContext {
  session: SessionView;
  /** When a requested model needs the audio window: the window after this payload's audio was appended. */
  audioWindow?: AudioWindowView;
}
