// End-to-end checks of the prosody model through its factory, the worker pool and a connection session:
// segments of speech on the stream timeline, silence and tones as W0105, the sliding window across
// payloads, reset_stream, and a video's audio track. Skipped, with a message, when the model or the
// shared audio samples are absent.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { EXPRESSION_LABELS, type ModelOutput, type TimedPrediction } from "../../protocol/index.js";
import { ConnectionSession } from "../../session/session.js";
import { MediaFixtures } from "../../../tests/support/media.js";
import { AUDIO_SAMPLES, audioModelSkip, predictAudio, startModel, type RunningModel } from "../../../tests/support/model-harness.js";
import { prosodyModel } from "./index.js";

const SKIP = audioModelSkip(prosodyModel);

let running: RunningModel<"prosody"> | undefined;
const fixtures = new MediaFixtures();

before(async () => {
  if (SKIP === false) running = await startModel(prosodyModel);
});

after(async () => {
  fixtures.dispose();
  await running?.pool.close();
});

const prosody = (bytes: Buffer, session: ConnectionSession): Promise<ModelOutput<TimedPrediction>> => predictAudio(prosodyModel, running!.model, bytes, session);

function predictions(output: ModelOutput<TimedPrediction>): TimedPrediction[] {
  assert.ok("predictions" in output, `expected speech, got ${JSON.stringify(output)}`);
  return output.predictions;
}

const sample = (name: string): Buffer => readFileSync(`${AUDIO_SAMPLES}${name}`);
const T = { skip: SKIP, timeout: 120_000 };

describe("prosody model", () => {
  it("speech: segments within the payload, each with the 48 expressions in [0, 1]", T, async () => {
    const found = predictions(await prosody(sample("speech_4s.wav"), new ConnectionSession()));
    assert.ok(found.length >= 1);
    for (const p of found) {
      assert.ok(p.time.begin >= 0 && p.time.end > p.time.begin && p.time.end <= 4.6, JSON.stringify(p.time));
      assert.deepEqual(p.emotions.map((e) => e.name), [...EXPRESSION_LABELS]);
      for (const e of p.emotions) assert.ok(e.score >= 0 && e.score <= 1);
    }
  });

  it("the same speech in every compressed format browsers and phones send", T, async () => {
    for (const name of ["speech_4s.mp3", "speech_4s.webm", "speech_4s.ogg"]) assert.ok(predictions(await prosody(sample(name), new ConnectionSession())).length >= 1, name);
  });

  it("silence and a pure tone: the nested W0105 warning", T, async () => {
    for (const name of ["silence_2s.wav", "tone440_2s.wav"]) {
      assert.deepEqual(await prosody(sample(name), new ConnectionSession()), { warning: "No speech detected.", code: "W0105" }, name);
    }
  });

  it("the sliding window: later payloads are placed on the stream timeline, times never go backwards", T, async () => {
    const session = new ConnectionSession();
    const first = predictions(await prosody(sample("speech_4s.wav"), session));
    const second = predictions(await prosody(sample("speech_4s.wav"), session));
    // The second reply covers the last 5 s of 9 s of stream: none of it before 4 s.
    assert.ok(second.every((p) => p.time.begin >= 3.9), JSON.stringify(second.map((p) => p.time)));
    assert.ok(Math.max(...second.map((p) => p.time.end)) > Math.max(...first.map((p) => p.time.end)) + 3);
    session.resetStream();
    const third = predictions(await prosody(sample("speech_4s.wav"), session));
    // reset_stream empties the window, the timeline keeps running.
    assert.ok(third.every((p) => p.time.begin >= 8.9), JSON.stringify(third.map((p) => p.time)));
  });

  it("a video's audio track", T, async () => {
    const video = fixtures.generate("talking.mp4", ["-f", "lavfi", "-i", "color=size=64x48:rate=10:duration=4.5", "-i", `${AUDIO_SAMPLES}speech_4s.wav`, "-shortest", "-c:v", "libx264", "-c:a", "aac"]);
    assert.ok(predictions(await prosody(video, new ConnectionSession())).length >= 1);
  });
});
