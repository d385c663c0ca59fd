// Words for what the server says: every error and warning code (the protocol's own descriptions, plus the
// server's message, which carries the specifics such as a limit), WebSocket close codes, and refused handshakes.

import { CODE_DESCRIPTIONS, type ErrorReply } from "../protocol/index.js";

/** "E0206: Text is longer than the character limit (Moodwire). Server: …". */
export function describeError(reply: ErrorReply): string {
  const known = (CODE_DESCRIPTIONS as Readonly<Record<string, string>>)[reply.code];
  return `${reply.code}: ${known ?? "Unknown error code."} Server: ${reply.error}`;
}

/** Why a socket closed, by close code; the page reconnects on its next request after any of them. */
const CLOSE_REASONS: Readonly<Record<number, string>> = {
  1000: "closed after a while without requests (the server's idle timeout, a minute by default)",
  1001: "the server is going away",
  1006: "the connection dropped",
  1007: "the server refused a frame that was not valid UTF-8",
  1008: "the server closed it: replies went unread for too long",
  1009: "a message was larger than the server accepts",
  1011: "the server hit an internal error",
  1012: "the server is restarting",
};

export function describeClose(code: number, reason: string): string {
  const known = CLOSE_REASONS[code] ?? "closed";
  return `${known} (code ${code}${reason === "" ? "" : `, "${reason}"`}); the next request reconnects`;
}

/** A handshake the server refused: the browser hides the HTTP status, so say what it most likely was. */
export function describeRefusal(keyRequired: boolean, keyGiven: boolean): string {
  if (keyRequired && !keyGiven) return "This server requires an API key: enter it in the API key field.";
  if (keyRequired) return "The server refused the connection: the API key was not accepted (HTTP 401), or too many connections or handshakes came from here (HTTP 429).";
  return "Could not connect to the server: it may be down, shutting down (HTTP 503) or full (HTTP 429).";
}
