// A payload's video frames run through the face kernel while ffmpeg still decodes the rest: whatever
// frames arrived while the previous run was busy go together as the next batch, so detection keeps
// pace with decoding instead of starting after the last frame.

import type { ImageFrame, VideoFrame } from "../../media/types.js";
import type { FrameFeed } from "../types.js";
import type { FoundFace } from "./kernel-types.js";

/** Runs a batch of frames; resolves with the faces of each, in order. */
export type RunFrames = (images: ImageFrame[]) => Promise<FoundFace[][]>;

export class FaceFrameFeed implements FrameFeed {
  private readonly waiting: ImageFrame[] = [];
  private readonly runs: Promise<FoundFace[][]>[] = [];
  private added = 0;
  private running = false;
  private failed = false;

  constructor(private readonly runFrames: RunFrames) {}

  add(frame: VideoFrame): void {
    this.waiting.push(frame.image);
    this.added++;
    if (!this.running) this.dispatch();
  }

  /**
   * The faces of every frame of the payload, in order. `images` are all its frames; those added before
   * (always a prefix) were started already, the rest start now as one batch, beside any run in flight.
   */
  async finish(images: readonly ImageFrame[]): Promise<FoundFace[][]> {
    this.waiting.push(...images.slice(this.added));
    this.added = Math.max(this.added, images.length);
    if (!this.failed) this.start();
    return (await Promise.all(this.runs)).flat();
  }

  private dispatch(): void {
    if (this.failed) return;
    const run = this.start();
    if (run === undefined) return;
    this.running = true;
    // A payload whose decode fails never collects its runs, so every outcome is handled here; a failed
    // run stops the feed (finish() reports the failure).
    run.then(
      () => {
        this.running = false;
        this.dispatch();
      },
      () => {
        this.running = false;
        this.failed = true;
      },
    );
  }

  private start(): Promise<FoundFace[][]> | undefined {
    if (this.waiting.length === 0) return undefined;
    const run = this.runFrames(this.waiting.splice(0));
    this.runs.push(run);
    return run;
  }
}
