// A network run over a batch, cut into runs of at most a fixed number of items. ONNX Runtime's CPU
// arena (and the wasm heap of tfjs) keeps, for the life of the session, the memory of the largest run
// it has served: a batch of 128 faces left the expression classifier ~480 MB larger for good. With runs
// capped, that high-water mark is reached by the first few batches, whatever the pool puts together
// (how many payloads a worker happened to collect), instead of rising with the largest batch so far.

/** Calls `run` on consecutive [start, end) ranges of at most `size` of `count` items, one at a time, in order. */
export async function boundedRuns<R>(count: number, size: number, run: (start: number, end: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`a run holds at least one item, got ${size}`);
  const results: R[] = [];
  for (let start = 0; start < count; start += size) results.push(await run(start, Math.min(count, start + size)));
  return results;
}
