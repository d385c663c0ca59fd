// Errors thrown by the client.

/** The server answered a payload with `{error, code, payload_id}` (spec §3.2). */
export class StreamError extends Error {
  override readonly name = "StreamError";
  constructor(
    readonly code: string,
    message: string,
    readonly payloadId?: string,
  ) {
    super(message);
  }
}

/** The connection could not be opened, or closed while requests were waiting for replies. */
export class StreamConnectionError extends Error {
  override readonly name = "StreamConnectionError";
  constructor(
    message: string,
    /** HTTP status of a refused handshake (401 for a bad API key), when there was one. */
    readonly status?: number,
    /** WebSocket close code, when the socket closed. */
    readonly closeCode?: number,
  ) {
    super(message);
  }
}

/** The server sent something that breaks the protocol (non-JSON, a reply no request waits for). */
export class StreamProtocolError extends Error {
  override readonly name = "StreamProtocolError";
}
