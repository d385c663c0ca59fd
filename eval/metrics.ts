// Metrics and dataset parsers for the evaluations. Pure functions, unit-tested in metrics.test.ts.

/** F1 of one binary label: 2TP / (2TP + FP + FN); 0 when the label never occurs and is never predicted. */
export function f1(truth: ArrayLike<boolean>, predicted: ArrayLike<boolean>): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    if (predicted[i] && truth[i]) tp++;
    else if (predicted[i]) fp++;
    else if (truth[i]) fn++;
  }
  const denominator = 2 * tp + fp + fn;
  return denominator === 0 ? 0 : (2 * tp) / denominator;
}

/**
 * Area under the ROC curve (Mann–Whitney U with average ranks for ties); NaN when only one class occurs.
 */
export function rocAuc(truth: ArrayLike<boolean>, scores: ArrayLike<number>): number {
  const n = truth.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = rank;
    i = j + 1;
  }
  let positives = 0;
  let rankSum = 0;
  for (let k = 0; k < n; k++) {
    if (truth[k]) {
      positives++;
      rankSum += ranks[k] as number;
    }
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** A figure rounded to 4 decimals, as the evaluation reports them. */
export function round4(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export interface PtbTree {
  label: number;
  children: PtbTree[];
  /** The token, for leaves. */
  word?: string;
}

/** Parses one Stanford Sentiment Treebank line such as "(3 (2 It) (4 (4 rocks) (2 .)))". */
export function parsePtb(line: string): PtbTree {
  let i = 0;
  const skip = (): void => {
    while (i < line.length && /\s/.test(line[i] as string)) i++;
  };
  const parse = (): PtbTree => {
    skip();
    if (line[i] !== "(") throw new Error(`PTB: expected '(' at ${i}`);
    i++;
    skip();
    let label = "";
    while (i < line.length && !/[\s()]/.test(line[i] as string)) label += line[i++];
    skip();
    const tree: PtbTree = { label: Number(label), children: [] };
    if (line[i] === "(") {
      while (line[i] === "(") {
        tree.children.push(parse());
        skip();
      }
    } else {
      let word = "";
      while (i < line.length && line[i] !== ")") word += line[i++];
      tree.word = word.trim();
    }
    if (line[i] !== ")") throw new Error(`PTB: expected ')' at ${i}`);
    i++;
    return tree;
  };
  const tree = parse();
  if (!Number.isInteger(tree.label)) throw new Error("PTB: the root has no numeric label");
  return tree;
}

const PTB_TOKENS: Record<string, string> = { "-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}" };

/** The leaves of a tree, left to right, as written in the file. */
export function ptbLeaves(tree: PtbTree): string[] {
  const words: string[] = [];
  const walk = (node: PtbTree): void => {
    if (node.word !== undefined) words.push(node.word);
    for (const child of node.children) walk(child);
  };
  walk(tree);
  return words;
}

/** The leaves joined by spaces, with PTB bracket escapes undone. */
export function ptbText(tree: PtbTree): string {
  return ptbLeaves(tree).map((w) => PTB_TOKENS[w] ?? w).join(" ");
}

/** The leaves joined by spaces, then each [from, to] replacement applied everywhere, in order. */
export function detokenize(words: readonly string[], rules: ReadonlyArray<readonly [string, string]>): string {
  let text = words.join(" ");
  for (const [from, to] of rules) text = text.split(from).join(to);
  return text;
}
