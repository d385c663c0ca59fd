// End-to-end checks of the burst model through its factory, the worker pool and a connection session:
// speech, silence and a tone as W0101; the sliding window and reset_stream on the stream timeline; and,
// when the nonverbal evaluation set is present, laughs and screams found as bursts (a behaviour check
// on a few clips: nothing is tuned on them). Skipped, with a message, when YAMNet or the shared samples
// are absent.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { EXPRESSION_LABELS, type ModelOutput, type TimedPrediction } from "../../protocol/index.js";
import { ConnectionSession } from "../../session/session.js";
import { NONVERBAL_DIR, nonverbalClips } from "../../../tests/support/media.js";
import { AUDIO_SAMPLES, audioModelSkip, predictAudio, startModel, type RunningModel } from "../../../tests/support/model-harness.js";
import { burstModel } from "./index.js";

const SKIP = audioModelSkip(burstModel);
const SKIP_NONVERBAL = SKIP !== false ? SKIP : !existsSync(`${NONVERBAL_DIR}labels.csv`) ? `the nonverbal evaluation set is absent (${NONVERBAL_DIR})` : false;

let running: RunningModel<"burst"> | undefined;

before(async () => {
  if (SKIP === false) running = await startModel(burstModel);
});

after(async () => {
  await running?.pool.close();
});

const burst = (bytes: Buffer, session: ConnectionSession): Promise<ModelOutput<TimedPrediction>> => predictAudio(burstModel, running!.model, bytes, session);

const NO_BURSTS = { warning: "No vocal bursts detected.", code: "W0101" };
const T = { skip: SKIP, timeout: 120_000 };

const nonverbal = (className: string, count: number): Buffer[] => nonverbalClips(className, count)!;

describe("burst model", () => {
  it("speech, whispering, silence and a tone: the nested W0101 warning", T, async () => {
    for (const name of ["speech_4s.wav", "whisper.wav", "silence_2s.wav", "tone440_2s.wav", "speech_4s.webm"]) {
      assert.deepEqual(await burst(readFileSync(`${AUDIO_SAMPLES}${name}`), new ConnectionSession()), NO_BURSTS, name);
    }
  });

  it("laughs and screams are bursts; laughs read as more Amusement, screams as more Fear; 48 expressions in [0, 1]", { ...T, skip: SKIP_NONVERBAL }, async () => {
    const mean = (found: TimedPrediction[], label: string) => found.reduce((sum, p) => sum + p.emotions.find((e) => e.name === label)!.score, 0) / found.length;
    const bursts = async (className: string) => {
      const found: TimedPrediction[] = [];
      for (const clip of nonverbal(className, 5)) {
        const output = await burst(clip, new ConnectionSession());
        if ("predictions" in output) found.push(...output.predictions);
      }
      assert.ok(found.length >= 3, `${className}: ${found.length} bursts in 5 clips`);
      for (const p of found) {
        assert.deepEqual(p.emotions.map((e) => e.name), [...EXPRESSION_LABELS]);
        for (const e of p.emotions) assert.ok(e.score >= 0 && e.score <= 1);
      }
      return found;
    };
    const laughs = await bursts("laughing");
    const screams = await bursts("screaming");
    assert.ok(mean(laughs, "Amusement") > mean(screams, "Amusement"), "Amusement: laughs above screams");
    assert.ok(mean(screams, "Fear") > mean(laughs, "Fear"), "Fear: screams above laughs");
  });

  it("the sliding window: a burst is placed on the stream timeline and reset_stream keeps the clock", { ...T, skip: SKIP_NONVERBAL }, async () => {
    const session = new ConnectionSession();
    const speech = readFileSync(`${AUDIO_SAMPLES}speech_4s.wav`);
    await burst(speech, session);
    const laughs = nonverbal("laughing", 5);
    let placed: TimedPrediction[] = [];
    for (const clip of laughs) {
      session.resetStream();
      const output = await burst(clip, session);
      if ("predictions" in output) {
        placed = output.predictions;
        break;
      }
    }
    assert.ok(placed.length > 0, "a laugh after speech");
    // After 4 s of speech (and any earlier laughs), the burst sits after the speech on the stream timeline.
    for (const p of placed) assert.ok(p.time.begin >= 3.9 && p.time.end > p.time.begin, JSON.stringify(p.time));
  });
});
