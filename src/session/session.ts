// State of one WebSocket connection: job id, audio window, face identities. Never shared.

import { randomUUID } from "node:crypto";
import { AudioWindow } from "./audio-window.js";
import { FaceIdentities } from "./face-identities.js";
import type { SessionView } from "./types.js";

export class ConnectionSession implements SessionView {
  /** 32 hex characters, fixed for the life of the connection (spec §1.3). */
  readonly jobId = randomUUID().replaceAll("-", "");
  readonly audioWindow = new AudioWindow();
  readonly faceIdentities = new FaceIdentities();
}
