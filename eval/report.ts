// What an evaluation tells a person after it runs (stderr; the JSON result is stdout's): each bar with
// its figure, met or FAILED. Progress lines come from src/cli/progress.ts.

export { progressLines as progress } from "../src/cli/progress.js";

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
