// Cached UTF-8 bytes of short texts built from a key: the reply writer's label and key prefixes.

/** Most entries a cache keeps: the keys are small closed sets (labels, reply keys); the bound only
 * guards against unexpected ones, which are then encoded on every call. */
const MOST_ENTRIES = 4096;

/** A function from key to the UTF-8 bytes of `format(key)`, encoded once per key. */
export function utf8Cache(format: (key: string) => string): (key: string) => Buffer {
  const cache = new Map<string, Buffer>();
  return (key) => {
    let bytes = cache.get(key);
    if (bytes === undefined) {
      bytes = Buffer.from(format(key), "utf8");
      if (cache.size < MOST_ENTRIES) cache.set(key, bytes);
    }
    return bytes;
  };
}
