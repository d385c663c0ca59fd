// Decoding of the project's shared test media (../shared/samples); skipped when the folder is absent.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ErrorCode } from "../protocol/index.js";
import { sharedDirectory } from "../runtime/paths.js";
import { decodeMedia } from "./decode.js";
import { MediaError } from "./errors.js";
import { ffmpegAvailable, LIMITS } from "../../tests/support/media.js";
import { readPayload } from "./payload.js";

const samples = join(sharedDirectory(), "samples");
const skip = !existsSync(join(samples, "audio"))
  ? `shared test media not found at ${samples} (set MOODWIRE_SHARED to the shared folder to run these tests)`
  : !ffmpegAvailable()
    ? "ffmpeg/ffprobe are not installed"
    : false;

/** Durations from samples/README.md, seconds. */
const DURATIONS: Record<string, number> = {
  "neutral_en-us.wav": 7.67, "neutral_16k.wav": 7.67, "neutral.mp3": 7.73, "neutral.ogg": 7.67, "neutral.webm": 7.68,
  "fast_high_loud.wav": 4.85, "slow_low_quiet.wav": 10.57, "ssml_test.wav": 3.37, "whisper.wav": 1.11,
  "silence_2s.wav": 2, "tone440_2s.wav": 2, "concat_speech_silence_speech.wav": 17.34, "mixed_pink.wav": 8,
  "speech_4s.wav": 4.5, "speech_4s.mp3": 4.57, "speech_4s.webm": 4.5, "speech_4s.ogg": 4.5,
};

describe("shared samples", { skip }, () => {
  it("decodes every audio sample or rejects it with E0203 stating the length", async () => {
    const files = readdirSync(join(samples, "audio")).filter((f) => f in DURATIONS);
    assert.ok(files.length > 0);
    for (const file of files) {
      const payload = readPayload(readFileSync(join(samples, "audio", file)).toString("base64"), false, LIMITS);
      assert.equal(payload.kind, "audio", file);
      const seconds = DURATIONS[file]!;
      try {
        const decoded = await decodeMedia(payload, { audio: true, audioWindow: false, frameRate: undefined }, LIMITS);
        assert.ok(seconds <= 5, `${file} (${seconds} s) was accepted`);
        assert.ok(decoded.kind === "audio");
        assert.ok(Math.abs(decoded.audio.samples.length / 16000 - seconds) < 0.1, `${file}: ${decoded.audio.samples.length / 16000} s`);
      } catch (error) {
        assert.ok(error instanceof MediaError && error.code === ErrorCode.AudioTooLong, `${file}: ${String(error)}`);
        assert.ok(seconds > 5, file);
        const stated = Number(/Audio is (?:at least )?([\d.]+) s long/.exec(error.message)?.[1]);
        assert.ok(Math.abs(stated - seconds) < 0.1, `${file}: ${error.message}`);
      }
    }
  });

  it("silence decodes to zeros and the tone to a 0.3 peak", async () => {
    for (const [file, expectedPeak] of [["silence_2s.wav", 0], ["tone440_2s.wav", 0.3]] as const) {
      const payload = readPayload(readFileSync(join(samples, "audio", file)).toString("base64"), false, LIMITS);
      const decoded = await decodeMedia(payload, { audio: true, audioWindow: false, frameRate: undefined }, LIMITS);
      assert.ok(decoded.kind === "audio");
      const peak = decoded.audio.samples.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
      assert.ok(Math.abs(peak - expectedPeak) < 0.02, `${file}: peak ${peak}`);
    }
  });

  it("decodes astronaut.png to 512x512 RGB", { skip: existsSync(join(samples, "astronaut.png")) ? false : "astronaut.png is absent" }, async () => {
    const payload = readPayload(readFileSync(join(samples, "astronaut.png")).toString("base64"), false, LIMITS);
    const decoded = await decodeMedia(payload, { audio: false, audioWindow: false, frameRate: 3 }, LIMITS);
    assert.ok(decoded.kind === "image");
    assert.deepEqual([decoded.image.width, decoded.image.height, decoded.image.data.length], [512, 512, 512 * 512 * 3]);
  });
});
