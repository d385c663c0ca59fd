// A machine with Node and nothing else: `npm install` warns about the missing ffmpeg instead of
// failing, and the server starts, says which formats are off (start-up line, /readyz), decodes WAV
// in-process, and refuses an MP3 with a coded error (E0202 for audio models) naming the missing ffmpeg. The server runs as a child
// process whose ffmpeg and ffprobe point nowhere (MOODWIRE_FFMPEG, MOODWIRE_FFPROBE).

import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { PACKAGE_ROOT } from "../../src/runtime/paths.js";
import { TestSocket } from "../conformance/helpers.js";
import { toneWav } from "../support/media.js";

const NOWHERE = { MOODWIRE_FFMPEG: "/nonexistent/ffmpeg", MOODWIRE_FFPROBE: "/nonexistent/ffprobe" };
const systemFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;

describe("without ffmpeg", () => {
  let server: ChildProcess | undefined;
  after(() => server?.kill("SIGKILL"));

  it("npm install's system check warns and succeeds", () => {
    const result = spawnSync(process.execPath, [join(PACKAGE_ROOT, "scripts", "check-system.mjs")], { env: { PATH: "/nonexistent" }, encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /ffmpeg and ffprobe not found/);
    assert.match(result.stderr, /MP3, FLAC, AAC\/M4A, Vorbis and video are off/);
  });

  it("the server starts, says what is off, decodes WAV, and refuses MP3 with a clear coded error", { timeout: 60_000 }, async () => {
    server = spawn(process.execPath, [join(PACKAGE_ROOT, "dist/src/cli/main.js"), "serve", "--port", "0", "--models", "prosody"], {
      env: { ...process.env, ...NOWHERE }, stdio: ["ignore", "ignore", "pipe"],
    });
    const lines = createInterface({ input: server.stderr! });
    const events: Record<string, Record<string, unknown>> = {};
    for await (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      events[String(entry.event)] = entry;
      if (entry.event === "models_loaded") break;
    }
    const listening = events.listening!;
    assert.equal(listening.ffmpeg, false);
    assert.match(String(listening.formats_off), /MP3.*video/);
    const url = String(listening.url);
    const port = new URL(url).port;
    const readyz = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(readyz.status, 200);
    assert.match(await readyz.text(), /no ffmpeg: MP3, FLAC, AAC\/M4A, Vorbis and all video off/);

    const socket = await TestSocket.open(url);
    const wav = await socket.request({ data: toneWav({ seconds: 1 }).toString("base64"), models: { prosody: {} } });
    assert.deepEqual(wav, { prosody: { warning: "No speech detected.", code: "W0105" } }, "WAV decodes in-process");
    if (systemFfmpeg) {
      const mp3 = spawnSync("ffmpeg", ["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=300:duration=1", "-f", "mp3", "pipe:1"]).stdout;
      const reply = await socket.request({ data: mp3.toString("base64"), models: { prosody: {} } }) as { code?: string; error?: string };
      assert.ok(["E0200", "E0202"].includes(String(reply.code)), String(reply.code));
      assert.match(String(reply.error), /this server has no ffmpeg/);
    }
    await socket.close();
  });
});
