// The camera's results: a box and id over each face on the video, each face's top expressions as text,
// and bars for the first face's action units (`facs`) and descriptions when the server returns them.

import type { FacePrediction, Score } from "../protocol/index.js";
import { formatScores, topScores } from "../client/replies.js";

const BOX_COLOUR = "#ffd400";
const LABEL_BACKGROUND = "#111111";

export interface FrameSize {
  width: number;
  height: number;
}

export class FaceView {
  constructor(
    private readonly overlay: HTMLCanvasElement,
    private readonly list: HTMLElement,
    private readonly bars: HTMLElement,
  ) {}

  show(faces: readonly FacePrediction[], frame: FrameSize): void {
    this.drawBoxes(faces, frame);
    this.list.replaceChildren(
      ...faces.map((face) => {
        const item = document.createElement("li");
        const id = document.createElement("strong");
        id.textContent = face.face_id;
        item.append(id, ` (${(face.prob * 100).toFixed(0)} % a face): ${formatScores(topScores(face.emotions, 3))}`);
        return item;
      }),
    );
    this.showBars(faces[0]);
  }

  /** A nested warning (W0103 "No faces detected.") or an error: no boxes, the message instead. */
  showMessage(message: string, frame: FrameSize): void {
    this.drawBoxes([], frame);
    const item = document.createElement("li");
    item.textContent = message;
    this.list.replaceChildren(item);
  }

  clear(): void {
    this.overlay.getContext("2d")?.clearRect(0, 0, this.overlay.width, this.overlay.height);
    this.list.replaceChildren();
  }

  private drawBoxes(faces: readonly FacePrediction[], frame: FrameSize): void {
    // The overlay has the frame's pixels, so boxes (in frame pixels) are drawn as they come.
    this.overlay.width = frame.width;
    this.overlay.height = frame.height;
    const context = this.overlay.getContext("2d");
    if (context === null) return;
    context.font = "bold 16px system-ui, sans-serif";
    context.lineWidth = 3;
    for (const face of faces) {
      const { x, y, w, h } = face.bbox;
      context.strokeStyle = BOX_COLOUR;
      context.strokeRect(x, y, w, h);
      const label = `${face.face_id} · ${topScores(face.emotions, 1)[0]?.name ?? ""}`;
      const labelWidth = context.measureText(label).width + 8;
      const labelY = Math.max(0, y - 22);
      context.fillStyle = LABEL_BACKGROUND;
      context.fillRect(x, labelY, labelWidth, 22);
      context.fillStyle = BOX_COLOUR;
      context.fillText(label, x + 4, labelY + 16);
    }
  }

  private showBars(face: FacePrediction | undefined): void {
    const groups: Array<[string, Score[] | undefined]> = [
      ["Action units (facs)", face?.facs],
      ["Descriptions", face?.descriptions],
    ];
    this.bars.replaceChildren(
      ...groups.map(([title, scores]) => {
        const section = document.createElement("div");
        const heading = document.createElement("h4");
        heading.textContent = title;
        section.append(heading);
        if (scores === undefined) {
          const note = document.createElement("p");
          note.className = "note";
          note.textContent = face === undefined ? "No face." : "This server does not return them yet.";
          section.append(note);
        } else section.append(barList(topScores(scores, 8)));
        return section;
      }),
    );
  }
}

/** Horizontal bars with the label and the value as text, so the chart reads without seeing it. */
function barList(scores: readonly Score[]): HTMLElement {
  const list = document.createElement("ul");
  list.className = "bars";
  for (const score of scores) {
    const item = document.createElement("li");
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.width = `${Math.round(score.score * 100)}%`;
    item.append(`${score.name} ${score.score.toFixed(2)}`, bar);
    list.append(item);
  }
  return list;
}
