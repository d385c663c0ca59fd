// Fails `npm install` early, with a fix, when a system tool Moodwire needs at run time is missing.
import { spawnSync } from "node:child_process";

const required = [
  { command: "ffmpeg", args: ["-version"], fix: "sudo apt-get install -y ffmpeg   (Debian/Ubuntu)" },
];

const missing = required.filter(({ command, args }) => {
  const result = spawnSync(command, args, { stdio: "ignore" });
  return result.error !== undefined || result.status !== 0;
});

if (missing.length > 0) {
  for (const { command, fix } of missing) {
    console.error(`moodwire: '${command}' was not found on PATH; it is needed to decode audio and video.`);
    console.error(`  install it with: ${fix}`);
  }
  process.exit(1);
}
