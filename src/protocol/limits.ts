// Per-payload limits, with Hume's defaults (spec §5). Every one is configurable on the server.

export interface Limits {
  /** Longest audio per payload, milliseconds. */
  maxAudioMs: number;
  /** Longest video per payload, milliseconds. */
  maxVideoMs: number;
  /** Largest image side, pixels (width and height are each checked). */
  maxImageSide: number;
  /** Longest text, Unicode code points, before and after NFKC normalization. */
  maxTextChars: number;
  /** Most faces in one facemesh payload. */
  maxFacemeshFaces: number;
  /** Largest WebSocket frame accepted, bytes. */
  maxFrameBytes: number;
  /** Requests in flight per connection before further frames are refused. */
  maxInFlight: number;
  /** Idle time before the server closes the connection (code 1000), milliseconds. */
  idleTimeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxAudioMs: 5000,
  maxVideoMs: 5000,
  maxImageSide: 3000,
  maxTextChars: 10_000,
  maxFacemeshFaces: 10,
  maxFrameBytes: 32 * 1024 * 1024,
  maxInFlight: 32,
  idleTimeoutMs: 60_000,
};

export const STREAM_WINDOW_MS = { min: 500, max: 10_000, default: 5000 } as const;

/** MediaPipe FaceMesh landmarks per face and coordinates per landmark (spec §2.5). */
export const FACEMESH_LANDMARKS = 478;
export const FACEMESH_COORDINATES = 3;
