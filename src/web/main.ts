// The playground page: the camera, microphone and text box each stream to this server's
// /v0/stream/models on their own socket (./stream-lane.ts), and the replies go to their views. Start here
// to follow a request: sendFrame, sendAudio and sendText build the wire messages (spec §2).

import { hasPredictions, isWarning } from "../client/replies.js";
import { toWireModels } from "../client/config.js";
import type { ModelName, PredictionsReply, StreamReply } from "../protocol/index.js";
import { blobToBase64, bytesToBase64 } from "./base64.js";
import { Camera } from "./camera.js";
import { EmotionChart } from "./emotion-chart.js";
import { FaceView } from "./face-view.js";
import { describeClose, describeError, describeRefusal } from "./messages.js";
import { Microphone } from "./microphone.js";
import { fetchServerInfo, streamEndpoint } from "./server-info.js";
import { StatusView } from "./status-view.js";
import { StreamLane } from "./stream-lane.js";
import { TextView } from "./text-view.js";
import { VoiceView } from "./voice-view.js";

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

const TEXT_DEBOUNCE_MS = 400;

const info = await fetchServerInfo().catch((error: unknown) => {
  element("server").textContent = `Could not ask the server what it serves (GET /info): ${String(error)}`;
  throw error;
});
const served = new Set<ModelName>(info.models.map((m) => m.name));
const status = new StatusView(element("lanes"), element("log"));
element("server").textContent = `${info.name} ${info.version} · models: ${[...served].join(", ") || "none"}${info.api_key_required ? " · this server requires an API key" : ""}`;
// The key is only sent to a server that asks for one.
const apiKey = element<HTMLInputElement>("api-key");
apiKey.disabled = !info.api_key_required;
element("api-key-hint").textContent = info.api_key_required ? "Required by this server; sent as the apikey query parameter." : "This server takes no key.";

let paused = false;

/**
 * A stream lane whose state and replies go to the status view, predictions to `onReply`, error replies to
 * `onError`; `onClosed` runs when the server closed the socket (the next request opens a new one).
 */
function lane(name: string, onReply: (reply: PredictionsReply) => void, onError: (message: string) => void, onClosed = () => {}): StreamLane {
  let lastLatency: number | undefined;
  const created: StreamLane = new StreamLane(name, () => streamEndpoint(info, apiKey.value.trim()), {
    state(state, { code, reason }) {
      status.update(name, state, lastLatency, created.dropped);
      if (state === "closed") {
        status.report(name, describeClose(code ?? 1006, reason ?? ""), "notice");
        onClosed();
      }
      if (state === "refused") status.report(name, describeRefusal(info.api_key_required, apiKey.value.trim() !== ""), "error");
    },
    reply(reply: StreamReply, latencyMs: number) {
      lastLatency = latencyMs;
      status.update(name, "open", latencyMs, created.dropped);
      if ("error" in reply) {
        const message = describeError(reply);
        status.report(name, message, "error");
        onError(message);
      } else onReply(reply);
    },
  });
  status.update(name, "idle", undefined, 0);
  return created;
}

// --- Camera → face ----------------------------------------------------------------------------------

const video = element<HTMLVideoElement>("video");
const faceView = new FaceView(element("overlay"), element("faces"), element("face-bars"));
const faceChart = new EmotionChart(element("face-chart"), "seconds");
const frameRate = element<HTMLSelectElement>("frame-rate");
const cameraButton = element<HTMLButtonElement>("camera");
let camera: Camera | undefined;
let cameraTimer: number | undefined;
let cameraStarted = 0;

// facs and descriptions are asked for, and shown when a reply carries them (this server omits them yet).
const faceModels = toWireModels({ face: { identify_faces: true, facs: {}, descriptions: {} } });

const faceLane = lane(
  "camera",
  (reply) => {
    if (camera === undefined) return;
    const size = camera.frameSize;
    if (hasPredictions(reply.face)) {
      faceView.show(reply.face.predictions, size);
      const first = reply.face.predictions[0];
      if (first !== undefined) faceChart.add((performance.now() - cameraStarted) / 1000, first.emotions);
    } else if (isWarning(reply.face)) faceView.showMessage(reply.face.warning, size);
  },
  (message) => {
    if (camera !== undefined) faceView.showMessage(message, camera.frameSize);
  },
);

function sendFrame(): void {
  const current = camera;
  if (paused || current === undefined) return;
  void faceLane.send(async () => {
    const jpeg = await current.frame();
    return jpeg === undefined ? undefined : { data: await blobToBase64(jpeg), models: faceModels };
  });
}

function scheduleFrames(): void {
  clearInterval(cameraTimer);
  if (camera !== undefined) cameraTimer = window.setInterval(sendFrame, 1000 / Number(frameRate.value));
}

async function toggleCamera(): Promise<void> {
  if (camera !== undefined) return stopCamera();
  try {
    camera = await Camera.open(video);
  } catch (error) {
    status.report("camera", `could not open the camera: ${String(error)}`, "error");
    return;
  }
  cameraStarted = performance.now();
  cameraButton.textContent = "Stop camera";
  scheduleFrames();
}

function stopCamera(): void {
  clearInterval(cameraTimer);
  camera?.stop();
  camera = undefined;
  faceView.clear();
  cameraButton.textContent = "Start camera";
}

// --- Microphone → prosody and burst --------------------------------------------------------------

const voiceView = new VoiceView(element("timeline"), element("voice-latest"));
const voiceChart = new EmotionChart(element("voice-chart"), "stream seconds");
const voiceNotes = element("voice-notes");
const chunkLength = element<HTMLSelectElement>("chunk-length");
const streamWindow = element<HTMLSelectElement>("stream-window");
const microphoneButton = element<HTMLButtonElement>("microphone");
const audioModels = toWireModels(Object.fromEntries((["prosody", "burst"] as const).filter((m) => served.has(m)).map((m) => [m, {}])));
let microphone: Microphone | undefined;
/** Seconds of audio sent on this socket: the server's stream timeline (spec §3.6), restarted with each connection. */
let streamSeconds = 0;

const audioLane = lane(
  "microphone",
  (reply) => {
    const notes: string[] = [];
    for (const model of ["prosody", "burst"] as const) {
      const output = reply[model];
      if (hasPredictions(output)) voiceView.add(model, output.predictions, streamSeconds);
      else if (isWarning(output)) notes.push(`${model}: ${output.warning}`);
    }
    const speech = hasPredictions(reply.prosody) ? reply.prosody.predictions.at(-1) : undefined;
    if (speech !== undefined) voiceChart.add(streamSeconds, speech.emotions);
    voiceNotes.textContent = notes.join(" ");
  },
  (message) => (voiceNotes.textContent = message),
  // A new connection starts a new stream timeline and an empty window.
  resetVoice,
);

function resetVoice(): void {
  streamSeconds = 0;
  voiceView.clear();
}

function sendAudio(wav: Uint8Array, seconds: number): void {
  if (paused) return;
  void audioLane.send(() => {
    streamSeconds += seconds;
    return { data: bytesToBase64(wav), models: audioModels, stream_window_ms: Number(streamWindow.value) };
  });
}

async function toggleMicrophone(): Promise<void> {
  if (microphone !== undefined) return stopMicrophone();
  try {
    microphone = await Microphone.open(Number(chunkLength.value), sendAudio);
  } catch (error) {
    status.report("microphone", `could not open the microphone: ${String(error)}`, "error");
    return;
  }
  microphoneButton.textContent = "Stop microphone";
}

function stopMicrophone(): void {
  microphone?.stop();
  microphone = undefined;
  microphoneButton.textContent = "Start microphone";
}

// --- Text → language ---------------------------------------------------------------------------------

const textInput = element<HTMLTextAreaElement>("text");
const textView = new TextView(element("text-output"), element("word-details"));
const languageModels = toWireModels({ language: { granularity: "word", sentiment: {}, toxicity: {} } });
let textTimer: number | undefined;
/** The text of the request in flight (positions in the reply refer to it) and whether the box changed since. */
let sentText = "";
let textChanged = false;

const textLane = lane(
  "text",
  (reply) => {
    if (hasPredictions(reply.language)) textView.show(sentText, reply.language.predictions);
    else if (isWarning(reply.language)) textView.showMessage(reply.language.warning);
    if (textChanged) sendText();
  },
  (message) => {
    textView.showMessage(message);
    if (textChanged) sendText();
  },
);

function sendText(): void {
  const text = textInput.value;
  if (text.trim() === "") return textView.showMessage("");
  if (paused) return;
  // While a reply is outstanding the request is dropped; the reply handler sends the newest text then.
  textChanged = true;
  void textLane.send(() => {
    textChanged = false;
    sentText = text;
    return { data: text, raw_text: true, models: languageModels };
  });
}

// --- Controls ----------------------------------------------------------------------------------------

const pauseButton = element<HTMLButtonElement>("pause");
const lanes = [faceLane, audioLane, textLane];

function stopAll(): void {
  stopCamera();
  stopMicrophone();
  for (const l of lanes) l.close();
  resetVoice();
}

const MODEL_CONTROLS: ReadonlyArray<[HTMLButtonElement | HTMLTextAreaElement, readonly ModelName[], string]> = [
  [cameraButton, ["face"], "face-off"],
  [microphoneButton, ["prosody", "burst"], "voice-off"],
  [textInput, ["language"], "text-off"],
];
for (const [control, models, note] of MODEL_CONTROLS) {
  if (models.some((m) => served.has(m))) continue;
  control.disabled = true;
  element(note).textContent = `This server does not serve ${models.join(" or ")}.`;
}

cameraButton.addEventListener("click", () => void toggleCamera());
frameRate.addEventListener("change", scheduleFrames);
microphoneButton.addEventListener("click", () => void toggleMicrophone());
textInput.addEventListener("input", () => {
  clearTimeout(textTimer);
  textTimer = window.setTimeout(sendText, TEXT_DEBOUNCE_MS);
});
pauseButton.addEventListener("click", () => {
  paused = !paused;
  pauseButton.setAttribute("aria-pressed", String(paused));
  pauseButton.textContent = paused ? "Resume" : "Pause";
  if (!paused) sendText();
});
element("stop").addEventListener("click", stopAll);
// A new key takes effect on new connections: close the current ones; the next request reconnects (the
// text's at once, as it may have been refused for want of this key).
apiKey.addEventListener("change", () => {
  for (const l of lanes) l.close();
  resetVoice();
  sendText();
});
document.body.dataset.ready = "true";
