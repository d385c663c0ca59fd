// The server's log: one JSON object per line, on stderr by default. Events and their fields only; no
// payload data and no API key ever reaches a line (callers pass what happened, never what was sent).

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** A logger writing lines at `level` and above to `write` (one JSON object, no newline). */
export function createLogger(level: LogLevel, write: (line: string) => void): Logger {
  const at = (entryLevel: Exclude<LogLevel, "silent">) => (event: string, fields: LogFields = {}) => {
    if (RANK[entryLevel] < RANK[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: entryLevel, event, ...fields }));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/**
 * Lines for an event a client can trigger at will (a refused handshake): at most `perWindow` per
 * window; past that they are counted, and the next line after the window says how many were left out
 * (`suppressed`), so a flood of bad handshakes cannot flood the log.
 */
export function throttledEvent(log: Logger, event: string, perWindow = 20, windowMs = 10_000, now: () => number = Date.now): (fields: LogFields) => void {
  let windowStart = -Infinity;
  let written = 0;
  let suppressed = 0;
  return (fields) => {
    const time = now();
    if (time - windowStart >= windowMs) {
      windowStart = time;
      written = 0;
    }
    if (written >= perWindow) {
      suppressed++;
      return;
    }
    written++;
    log.info(event, suppressed > 0 ? { ...fields, suppressed } : fields);
    suppressed = 0;
  };
}
