// Test-only: the system's Chromium (Debian's `chromium`; a browser is never downloaded) driven by
// playwright-core, with a fake camera and microphone fed from files that ffmpeg makes from the shared
// samples at test time. Nothing here is shipped.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { sharedDirectory } from "../../src/runtime/paths.js";
import { ffmpegAvailable, type MediaFixtures } from "./media.js";

export const CHROMIUM = process.env.MOODWIRE_CHROMIUM ?? "/usr/bin/chromium";
/** A frontal, smiling, public-domain face (the shared samples' README). */
export const FACE_IMAGE = `${sharedDirectory()}samples/astronaut.png`;
/** 4.5 s of synthetic speech. */
export const SPEECH_WAV = `${sharedDirectory()}samples/audio/speech_4s.wav`;

/** Why the browser tests cannot run here (also printed), or false. */
export function browserSkip(): string | false {
  const skip = !existsSync(CHROMIUM)
    ? `no Chromium at ${CHROMIUM} (apt-get install chromium, or set MOODWIRE_CHROMIUM)`
    : !existsSync(FACE_IMAGE) || !existsSync(SPEECH_WAV)
      ? `the shared samples are absent (${FACE_IMAGE}, ${SPEECH_WAV}): set MOODWIRE_SHARED`
      : !ffmpegAvailable()
        ? "ffmpeg is not installed (it makes the fake camera and microphone files)"
        : false;
  if (skip !== false) console.log(`# browser tests skipped: ${skip}`);
  return skip;
}

/** The fake camera (a Y4M of the face image, which Chromium loops) and microphone (the speech, padded with silence). */
export function fakeMediaFiles(fixtures: MediaFixtures): { video: string; audio: string } {
  fixtures.generate("camera.y4m", ["-loop", "1", "-i", FACE_IMAGE, "-t", "1", "-r", "5", "-pix_fmt", "yuv420p"]);
  fixtures.generate("microphone.wav", ["-i", SPEECH_WAV, "-af", "apad=pad_dur=1", "-ar", "48000", "-ac", "1", "-c:a", "pcm_s16le"]);
  return { video: join(fixtures.dir, "camera.y4m"), audio: join(fixtures.dir, "microphone.wav") };
}

export function launchChromium(media: { video: string; audio: string }): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-video-capture=${media.video}`,
      `--use-file-for-fake-audio-capture=${media.audio}`,
    ],
  });
}
