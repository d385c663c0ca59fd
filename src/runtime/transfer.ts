// The buffers a kernel's outputs own, so a worker can move them to the main thread instead of copying
// (score arrays, embeddings, masks). Looks through plain objects, arrays and typed arrays a few levels
// deep; shared memory and views that do not cover their whole buffer are left to be copied.

const MAX_DEPTH = 4;

export function transferablesOf(value: unknown, found: Set<ArrayBuffer> = new Set(), depth = 0): ArrayBuffer[] {
  if (depth > MAX_DEPTH || typeof value !== "object" || value === null) return [...found];
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    // A view of part of a buffer may share it with something the worker still holds (a pooled buffer).
    if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength) found.add(buffer);
  } else if (value instanceof ArrayBuffer) {
    found.add(value);
  } else {
    for (const item of Array.isArray(value) ? value : Object.values(value)) transferablesOf(item, found, depth + 1);
  }
  return [...found];
}
