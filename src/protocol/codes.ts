// Error and warning codes (spec §4) plus Moodwire's own, documented in the README.

export const ErrorCode = {
  /** The frame could not be parsed as JSON. */
  InvalidJson: "E0100",
  /** The request's structure was invalid (unknown key, wrong type, out of range). */
  InvalidRequest: "E0101",
  /** A requested model does not support the detected media kind. */
  ModelMediaMismatch: "E0102",
  /** Moodwire: a requested model is not enabled on this server. */
  ModelUnavailable: "E0103",
  /** The media could not be parsed into a known format. */
  UnknownMedia: "E0200",
  /** `data` was not valid base64. */
  InvalidBase64: "E0201",
  /** Audio models were requested but no audio could be decoded. */
  NoAudio: "E0202",
  /** Audio longer than the per-payload limit. */
  AudioTooLong: "E0203",
  /** Video longer than the per-payload limit. */
  VideoTooLong: "E0204",
  /** Image larger than the pixel limit. */
  ImageTooLarge: "E0205",
  /** Moodwire: text longer than the character limit. */
  TextTooLong: "E0206",
  /** Moodwire: facemesh data of the wrong shape or with too many faces. */
  InvalidFacemesh: "E0207",
  /** Moodwire: the frame exceeds the maximum frame size. */
  FrameTooLarge: "E0208",
  /** Moodwire: too many requests in flight on this connection. */
  TooManyInFlight: "E0300",
  /** Moodwire: every media decoder is busy and the wait queue is full or too slow; retry later. */
  ServerBusy: "E0301",
  /** Moodwire: a model failed while processing this payload (internal error). */
  Internal: "I0100",
  /** Moodwire: a model did not answer in time (internal error). */
  InternalTimeout: "I0101",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const WarningCode = {
  NoBursts: "W0101",
  NoFacemeshes: "W0102",
  NoFaces: "W0103",
  NoLanguage: "W0104",
  NoSpeech: "W0105",
} as const;
export type WarningCode = (typeof WarningCode)[keyof typeof WarningCode];

/** One line per code, for the README and `moodwire codes`. */
export const CODE_DESCRIPTIONS: Readonly<Record<ErrorCode | WarningCode, string>> = {
  E0100: "The frame could not be parsed as valid JSON.",
  E0101: "The request's structure is invalid: unknown or camelCase key, wrong type, or value out of range.",
  E0102: "A requested model does not support the detected media kind.",
  E0103: "A requested model is not enabled on this server (Moodwire).",
  E0200: "The media could not be parsed into a known file format.",
  E0201: "`data` could not be decoded as base64.",
  E0202: "Audio models were requested but no audio signal could be decoded.",
  E0203: "Audio is longer than the per-payload limit (the message gives the limit and the length).",
  E0204: "Video is longer than the per-payload limit (the message gives the limit and the length).",
  E0205: "Image is larger than the pixel limit (the message gives the limit and the size).",
  E0206: "Text is longer than the character limit (Moodwire).",
  E0207: "Facemesh data has the wrong shape, non-finite values or too many faces (Moodwire).",
  E0208: "The frame is larger than the maximum frame size (Moodwire).",
  E0300: "Too many requests in flight on this connection; wait for replies (Moodwire).",
  E0301: "The server is busy: every media decoder was taken and the payload could not wait (queue full or waited too long); retry later (Moodwire).",
  I0100: "A model failed while processing the payload; the model worker was restarted (Moodwire).",
  I0101: "A model did not answer within the time limit (Moodwire).",
  W0101: "No vocal bursts could be detected in the streamed media.",
  W0102: "No facemeshes could be detected in the streamed media.",
  W0103: "No faces could be detected in the streamed media.",
  W0104: "No emotional language could be detected in the streamed media.",
  W0105: "No speech could be detected in the streamed media.",
};
