// The text of a WebSocket message as `ws` delivers it (a Buffer, an ArrayBuffer, or a list of fragments).

/** A message's UTF-8 text. A Buffer is decoded where it lies: copying it first (Buffer.from) doubled the
 * cost of a megabytes-large image or audio frame. */
export function messageText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
}
