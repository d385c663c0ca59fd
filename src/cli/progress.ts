// Progress for people: a one-line bar on stderr drawn only when stderr is a terminal (analyze), and
// plain progress lines with a time estimate for long runs whose stderr is often a log (eval, bench).

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

export interface Progress {
  /** Marks `n` more units done (default 1) and redraws. */
  tick(n?: number): void;
  /** Clears the bar (when one was drawn). */
  done(): void;
}

/** Renders `[#####.....] 3/7 windows` for `done` of `total`. */
export function renderBar(done: number, total: number, unit = "windows", width = 20): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(fraction * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${unit}`;
}

const NO_PROGRESS: Progress = { tick: () => undefined, done: () => undefined };

/** A bar for `total` units on `stream`; a no-op unless `stream.isTTY`. */
export function createProgress(total: number, stream: ProgressStream = process.stderr, unit = "windows"): Progress {
  if (stream.isTTY !== true) return NO_PROGRESS;
  let count = 0;
  let drawn = false;
  const draw = (): void => {
    stream.write(`\r${renderBar(count, total, unit)}\x1b[K`);
    drawn = true;
  };
  draw();
  return {
    tick(n = 1) {
      count = Math.min(total, count + n);
      draw();
    },
    done() {
      if (drawn) stream.write("\r\x1b[K");
      drawn = false;
    },
  };
}

/** Every this many ms at most, one progress line. */
const PROGRESS_EVERY_MS = 10_000;

const minutes = (ms: number): string => (ms < 60_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${(ms / 60_000).toFixed(1)} min`);

/**
 * A progress reporter for `total` items: call it with the number done; it prints at the start, then at
 * most every 10 s, with the time left extrapolated from the pace so far.
 */
export function progressLines(label: string, total: number, write: (line: string) => void = (line) => console.error(line)): (done: number) => void {
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
