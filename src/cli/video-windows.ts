// Cuts a long video into consecutive windows that each fit one payload, for `moodwire analyze` with a
// visual model: the system's ffprobe reads the duration and frame rate, one ffmpeg run re-encodes
// (H.264/AAC in MP4, a key frame forced at every cut, so each window starts exactly where the last
// ended) and writes the segments. Runs on the client's machine; the server never sees the whole file.

import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface VideoWindow {
  bytes: Buffer;
  /** Where the window starts in the file. */
  startMs: number;
  /** The file's frame index of the window's first frame (the server counts frames per payload). */
  frameOffset: number;
}

interface Probe {
  seconds: number;
  fps: number;
}

async function probe(path: string): Promise<Probe> {
  const { stdout } = await run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "format=duration:stream=avg_frame_rate", "-of", "json", path]);
  const info = JSON.parse(stdout) as { format?: { duration?: string }; streams?: { avg_frame_rate?: string }[] };
  const [num, den] = (info.streams?.[0]?.avg_frame_rate ?? "0/1").split("/").map(Number);
  return { seconds: Number(info.format?.duration ?? 0), fps: den ? num! / den : 0 };
}

/** The windows of a video longer than `windowMs`; undefined when it fits one payload. */
export async function videoWindows(bytes: Uint8Array, windowMs: number): Promise<VideoWindow[] | undefined> {
  const dir = await mkdtemp(join(tmpdir(), "moodwire-video-"));
  try {
    const input = join(dir, "input");
    await writeFile(input, bytes);
    const { seconds, fps } = await probe(input);
    if (!(seconds * 1000 > windowMs)) return undefined;
    const step = windowMs / 1000;
    await run("ffmpeg", [
      "-nostdin", "-loglevel", "error", "-i", input, "-map", "0:v:0", "-map", "0:a:0?",
      "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-force_key_frames", `expr:gte(t,n_forced*${step})`, "-c:a", "aac",
      "-f", "segment", "-segment_time", String(step), "-reset_timestamps", "1", "-segment_format", "mp4", join(dir, "window%05d.mp4"),
    ], { maxBuffer: 16 * 1024 * 1024 });
    const files = (await readdir(dir)).filter((name) => name.startsWith("window")).sort();
    return Promise.all(files.map(async (name, i) => ({
      bytes: await readFile(join(dir, name)),
      startMs: i * windowMs,
      frameOffset: Math.round(i * step * fps),
    })));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
