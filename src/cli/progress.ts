// A one-line progress bar on stderr, drawn only when stderr is a terminal.

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
