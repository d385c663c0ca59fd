// Strict base64 decoding: standard or URL-safe alphabet, optional padding, whitespace tolerated.

const WHITESPACE = /[\t\n\f\r ]/g;
const HAS_WHITESPACE = /[\t\n\f\r ]/;
const BASE64_BODY = /^[A-Za-z0-9+/_-]*={0,2}$/;
const DATA_URL_PREFIX = /^\s*data:[^,]*?;base64,/i;

/** Removes a leading `data:<anything>;base64,` (browser FileReader.readAsDataURL output, spec §2.5). */
export function stripDataUrlPrefix(data: string): string {
  const match = DATA_URL_PREFIX.exec(data.length > 1024 ? data.slice(0, 1024) : data);
  return match === null ? data : data.slice(match[0].length);
}

/** Decodes strictly; undefined when `data` is not base64. */
export function decodeBase64Strict(data: string): Buffer | undefined {
  const compact = HAS_WHITESPACE.test(data) ? data.replace(WHITESPACE, "") : data;
  if (!BASE64_BODY.test(compact)) return undefined;
  let end = compact.length;
  while (end > 0 && compact.charCodeAt(end - 1) === 61 /* = */) end--;
  const padding = compact.length - end;
  if (end % 4 === 1) return undefined;
  if (padding > 0 && compact.length % 4 !== 0) return undefined;
  // Node's "base64" decoder also accepts the URL-safe alphabet.
  return Buffer.from(compact, "base64");
}
