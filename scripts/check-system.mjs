// Says at `npm install` what the system lacks, without failing the install: without ffmpeg the server
// still serves WAV, Opus in WebM/Ogg, images and text (decoded in-process); MP3, FLAC, AAC, Vorbis and
// video need it, and the server says so at start, in /readyz and in each refused payload's error.
import { spawnSync } from "node:child_process";

const tools = [
  { command: "ffmpeg", fix: "sudo apt-get install -y ffmpeg   (Debian/Ubuntu; brew install ffmpeg on macOS)" },
  { command: "ffprobe", fix: "installed with ffmpeg" },
];

const missing = tools.filter(({ command }) => {
  const result = spawnSync(command, ["-version"], { stdio: "ignore" });
  return result.error !== undefined || result.status !== 0;
});

if (missing.length > 0) {
  console.error(`moodwire: ${missing.map((t) => t.command).join(" and ")} not found on PATH. The server will run without it:`);
  console.error("  WAV, Opus in WebM/Ogg, images and text work; MP3, FLAC, AAC/M4A, Vorbis and video are off (their payloads get E0200/E0202 saying so).");
  for (const { command, fix } of missing) console.error(`  to enable them, install ${command}: ${fix}`);
}
