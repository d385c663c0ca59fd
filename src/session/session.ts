// State of one WebSocket connection: job id, audio window, face identities, models' stream state. Never shared.

import { randomUUID } from "node:crypto";
import { AudioWindow } from "./audio-window.js";
import { FaceIdentities } from "./face-identities.js";
import type { DecodedMedia, DecodeNeeds } from "../media/types.js";
import type { PredictContext, SessionView } from "./types.js";

export class ConnectionSession implements SessionView {
  /** 32 hex characters, fixed for the life of the connection (spec §1.3). */
  readonly jobId = randomUUID().replaceAll("-", "");
  readonly audioWindow = new AudioWindow();
  readonly faceIdentities = new FaceIdentities();
  private readonly streamStates = new Map<string, unknown>();

  /** reset_stream: empties the audio window (the timeline keeps running) and the models' stream state; face identities stay. */
  resetStream(): void {
    this.audioWindow.reset();
    this.streamStates.clear();
  }

  streamState<T>(key: string, create: () => T): T {
    if (!this.streamStates.has(key)) this.streamStates.set(key, create());
    return this.streamStates.get(key) as T;
  }

  /**
   * The models' context for one payload: when they need the audio window, the payload's audio (of an
   * audio payload or a video's track) is appended to it first, so each payload is appended exactly once.
   */
  predictContext(media: DecodedMedia, needs: DecodeNeeds, windowMs: number): PredictContext {
    const context: PredictContext = { session: this };
    const audio = media.kind === "audio" || media.kind === "video" ? media.audio : undefined;
    if (needs.audioWindow && audio !== undefined) context.audioWindow = this.audioWindow.append(audio.samples, windowMs);
    return context;
  }
}
