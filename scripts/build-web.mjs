// Builds the playground page into dist/web/ (served at GET /): the page script and the audio worklet bundled
// by esbuild (uPlot and the protocol modules inside: no CDN, works offline), plus the HTML and styles.
// Not minified, with source maps: the page is the reference browser client, meant to be read.
// Type-checking is tsconfig.web.json's job (npm run build runs both).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "web");
mkdirSync(out, { recursive: true });

await build({
  entryPoints: {
    playground: join(root, "src/web/main.ts"),
    "audio-capture.worklet": join(root, "src/web/audio-capture.worklet.ts"),
  },
  outdir: out,
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  sourcemap: true,
  legalComments: "inline",
  logLevel: "warning",
});

for (const [from, to] of [
  ["src/web/index.html", "index.html"],
  ["src/web/playground.css", "playground.css"],
  ["node_modules/uplot/dist/uPlot.min.css", "uPlot.min.css"],
]) {
  copyFileSync(join(root, from), join(out, to));
}
