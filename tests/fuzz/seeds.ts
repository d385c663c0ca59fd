// Valid media seeds the fuzzer mutates: images made with sharp, WAV built in code, compressed audio and
// tiny videos made with ffmpeg's lavfi sources in a private temp dir. Built once per process.

import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { toneWav } from "../support/media.js";

export interface MediaSeeds {
  /** name → bytes, e.g. "png", "jpeg", "wav", "mp3", "mp4". Missing when the encoder is unavailable. */
  readonly media: ReadonlyMap<string, Buffer>;
  /** Seeds whose duration is over the default 5 s per-payload limit. */
  readonly long: ReadonlyMap<string, Buffer>;
  /** Encoders that could not be run (reported, never fatal). */
  readonly skipped: readonly string[];
}

function runFfmpeg(args: string[], timeoutMs = 20_000): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.env.MOODWIRE_FFMPEG ?? "ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", ...args], {
      stdio: ["ignore", "ignore", "ignore"],
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

async function gradient(width: number, height: number): Promise<sharp.Sharp> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = (x * 255) / width;
      raw[i + 1] = (y * 255) / height;
      raw[i + 2] = ((x + y) * 127) / (width + height);
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

let cached: Promise<MediaSeeds> | undefined;

/** Builds (once per process) the valid seeds. Never throws for a missing encoder; it is listed in `skipped`. */
export function mediaSeeds(): Promise<MediaSeeds> {
  cached ??= buildSeeds();
  return cached;
}

async function buildSeeds(): Promise<MediaSeeds> {
  const media = new Map<string, Buffer>();
  const long = new Map<string, Buffer>();
  const skipped: string[] = [];
  media.set("png", await (await gradient(64, 48)).png().toBuffer());
  media.set("jpeg", await (await gradient(64, 48)).jpeg({ quality: 80 }).toBuffer());
  media.set("webp", await (await gradient(64, 48)).webp({ quality: 80 }).toBuffer());
  media.set("gif", await (await gradient(32, 24)).gif().toBuffer());
  media.set("wav", toneWav({ seconds: 0.5 }));
  media.set("wav8k-stereo", toneWav({ seconds: 0.5, sampleRate: 8000, channels: 2 }));
  long.set("wav", toneWav({ seconds: 6 }));

  const dir = await mkdtemp(join(tmpdir(), "moodwire-fuzz-"));
  try {
    const sine = (seconds: number) => ["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=16000:duration=${seconds}`];
    const video = (seconds: number) => ["-f", "lavfi", "-i", `testsrc=size=64x48:rate=5:duration=${seconds}`, ...sine(seconds)];
    const jobs: { name: string; long?: boolean; args: (out: string) => string[]; ext: string }[] = [
      { name: "mp3", ext: "mp3", args: (o) => [...sine(1), "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k", o] },
      { name: "ogg", ext: "ogg", args: (o) => [...sine(1), "-ac", "1", "-c:a", "libvorbis", o] },
      { name: "opus", ext: "ogg", args: (o) => [...sine(1), "-ac", "1", "-c:a", "libopus", o] },
      { name: "flac", ext: "flac", args: (o) => [...sine(1), "-ac", "1", "-c:a", "flac", o] },
      { name: "mp4", ext: "mp4", args: (o) => [...video(1), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", o] },
      { name: "webm", ext: "webm", args: (o) => [...video(1), "-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libopus", "-shortest", o] },
      { name: "mp3", long: true, ext: "mp3", args: (o) => [...sine(8), "-ac", "1", "-c:a", "libmp3lame", "-b:a", "16k", o] },
      { name: "mp4", long: true, ext: "mp4", args: (o) => [...video(7), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", o] },
    ];
    let n = 0;
    for (const job of jobs) {
      const out = join(dir, `seed${n++}.${job.ext}`);
      if (await runFfmpeg(job.args(out))) (job.long === true ? long : media).set(job.name, await readFile(out));
      else skipped.push(`${job.name}${job.long === true ? " (long)" : ""}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { media, long, skipped };
}
