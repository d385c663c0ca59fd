// A structural pre-scan of request JSON. JSON.parse of a frame nested a million levels deep blocks the
// event loop for ~0.5 s; real requests nest 4 levels. The scan skips string contents with indexOf (a
// megabyte base64 `data` costs one search), so it is cheap on every frame and stops at the first level
// past the limit. Pure and browser-safe.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Index of the quote that closes the string opened at `open`, or -1 when it is unterminated. */
function stringEnd(text: string, open: number): number {
  let i = open;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
}

/** Whether `text` opens more than `limit` objects and arrays inside one another (outside strings). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      if (i < 0) return false;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * The string value of the top-level "payload_id" member (the last one, as JSON.parse keeps), read without
 * parsing the rest, so a refused frame's reply can still echo it.
 */
export function topLevelPayloadId(text: string): string | undefined {
  let depth = 0;
  let found: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return found;
      if (depth === 1 && text.slice(i + 1, end) === "payload_id") {
        const value = /^\s*:\s*"/.exec(text.slice(end + 1, end + 64));
        if (value !== null) {
          const open = end + value[0].length;
          const close = stringEnd(text, open);
          if (close < 0) return found;
          try {
            found = JSON.parse(text.slice(open, close + 1)) as string;
          } catch {
            // A malformed escape: no usable id.
          }
          i = close;
          continue;
        }
      }
      i = end;
    }
  }
  return found;
}
