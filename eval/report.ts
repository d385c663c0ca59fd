// What an evaluation tells a person while and after it runs (stderr; the JSON result is stdout's):
// progress with a time estimate, and each bar with its figure, met or FAILED.

/** Every this many ms at most, one progress line. */
const PROGRESS_EVERY_MS = 10_000;

const minutes = (ms: number): string => (ms < 60_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${(ms / 60_000).toFixed(1)} min`);

/**
 * A progress reporter for `total` items: call it with the number done; it prints at the start, then at
 * most every 10 s, with the time left extrapolated from the pace so far.
 */
export function progress(label: string, total: number, write: (line: string) => void = (line) => console.error(line)): (done: number) => void {
  const started = performance.now();
  let last = -Infinity;
  return (done) => {
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS && done < total) return;
    last = now;
    const elapsed = now - started;
    const left = done === 0 ? "" : `, about ${minutes((elapsed / done) * (total - done))} left`;
    write(`${label}: ${done}/${total} (${Math.round((done / Math.max(1, total)) * 100)} %)${done < total ? left : `, ${minutes(elapsed)}`}`);
  };
}

/** A bar's figure: the result field its name starts with (`burst_auc_ge_0_95` → `burst_auc`), when numeric. */
function figureOf(result: Record<string, unknown>, bar: string): number | undefined {
  const field = bar.replace(/_(ge|le)_[0-9_]+$/, "");
  const candidates = [field, `${field}_accuracy`];
  const found = candidates.map((name) => result[name]).find((value) => typeof value === "number");
  return found as number | undefined;
}

/** One line per bar: met or FAILED, its name and its figure; whether all were met. */
export function barTable(result: Record<string, unknown>): { lines: string[]; allMet: boolean } {
  const bars = result.bars;
  if (typeof bars !== "object" || bars === null) return { lines: [], allMet: true };
  const entries = Object.entries(bars as Record<string, unknown>).filter(([, met]) => typeof met === "boolean") as [string, boolean][];
  const lines = entries.map(([bar, met]) => {
    const figure = figureOf(result, bar);
    return `${met ? "met   " : "FAILED"}  ${bar}${figure === undefined ? "" : `  (${figure})`}`;
  });
  return { lines, allMet: entries.every(([, met]) => met) };
}
