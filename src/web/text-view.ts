// The text's results at word granularity: each word tinted by its top emotion, and on hover or keyboard
// focus its top emotions, sentiment and toxicity in the details panel (a live region, so it is read out).

import type { LanguagePrediction } from "../protocol/index.js";
import { tintColor } from "./colors.js";
import { formatScores, topScores } from "../client/replies.js";
import { meanSentiment } from "./scores.js";

export class TextView {
  constructor(
    private readonly output: HTMLElement,
    private readonly details: HTMLElement,
  ) {}

  show(text: string, words: readonly LanguagePrediction[]): void {
    // Positions count Unicode code points (spec §3.1), not UTF-16 units.
    const codePoints = Array.from(text);
    const nodes: Node[] = [];
    let at = 0;
    for (const word of words) {
      nodes.push(document.createTextNode(codePoints.slice(at, word.position.begin).join("")));
      nodes.push(this.wordElement(word));
      at = word.position.end;
    }
    nodes.push(document.createTextNode(codePoints.slice(at).join("")));
    this.output.replaceChildren(...nodes);
  }

  showMessage(message: string): void {
    this.output.textContent = message;
  }

  private wordElement(word: LanguagePrediction): HTMLElement {
    const strongest = topScores(word.emotions, 1)[0];
    const span = document.createElement("span");
    span.className = "word";
    span.tabIndex = 0;
    span.textContent = word.text;
    span.style.backgroundColor = tintColor(strongest?.name ?? "");
    span.setAttribute("aria-label", `${word.text}: ${strongest?.name ?? "no emotion"}`);
    const reveal = () => this.describe(word);
    span.addEventListener("mouseenter", reveal);
    span.addEventListener("focus", reveal);
    return span;
  }

  private describe(word: LanguagePrediction): void {
    const lines = [`“${word.text}”: ${formatScores(topScores(word.emotions, 5))}`];
    if (word.sentiment !== undefined) lines.push(`Sentiment ${meanSentiment(word.sentiment).toFixed(1)} on 1 (negative) to 9 (positive)`);
    if (word.toxicity !== undefined) lines.push(`Toxicity: ${formatScores(topScores(word.toxicity, 2))}`);
    this.details.replaceChildren(
      ...lines.map((line) => {
        const p = document.createElement("p");
        p.textContent = line;
        return p;
      }),
    );
  }
}
