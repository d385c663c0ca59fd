import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";

import { chunkText, encodeWav, shiftLanguagePrediction, wavWindows } from "../client/index.js";
import { startFakeServer, type FakeServer } from "../client/fake-server.testkit.js";
import type { LanguagePrediction, TimedPrediction } from "../protocol/index.js";
import { mergeResults, parseAnalyzeArgs, planPayloads, runAnalyze, type AnalyzeOutput } from "./analyze.js";
import { createProgress, renderBar } from "./progress.js";
import { videoWindows } from "./video-windows.js";
import { mulberry32 as rng } from "../../tests/support/rng.js";
import { httpGet, metricSample, startTestServer } from "../../tests/conformance/helpers.js";
import { fakeLanguage } from "../../tests/support/fake-models.js";


const WORDS = ["I", "love", "this", "naïve", "café", "😀", "𝒳yz", "日本語", "really-long-hyphenated-word", "end."];
function randomText(random: () => number, words: number): string {
  const parts: string[] = [];
  for (let i = 0; i < words; i++) {
    parts.push(WORDS[Math.floor(random() * WORDS.length)]!);
    const r = random();
    parts.push(r < 0.05 ? "\n" : r < 0.15 ? ". " : r < 0.2 ? "  " : " ");
  }
  return parts.join("");
}

/** Word-level language items with code-point positions, as a server returns them for one payload. */
function wordItems(text: string): LanguagePrediction[] {
  const cps = [...text];
  const items: LanguagePrediction[] = [];
  let i = 0;
  while (i < cps.length) {
    if (/\s/u.test(cps[i]!)) {
      i++;
      continue;
    }
    const begin = i;
    while (i < cps.length && !/\s/u.test(cps[i]!)) i++;
    items.push({ text: cps.slice(begin, i).join(""), position: { begin, end: i }, emotions: [] });
  }
  return items;
}

function wavSamples(wav: Uint8Array): Float32Array {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const n = view.getUint32(40, true) / 2;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(44 + i * 2, true) / 32768;
  return out;
}

describe("chunkText", () => {
  it("covers the text exactly with chunks of at most maxChars code points", () => {
    const random = rng(7);
    for (let round = 0; round < 40; round++) {
      const text = randomText(random, 50 + Math.floor(random() * 400));
      const max = 5 + Math.floor(random() * 120);
      const chunks = chunkText(text, max);
      assert.equal(chunks.map((c) => c.text).join(""), text);
      let expectedStart = 0;
      for (const chunk of chunks) {
        assert.equal(chunk.start, expectedStart);
        assert.equal(chunk.end - chunk.start, [...chunk.text].length);
        assert.ok(chunk.end - chunk.start <= max, `chunk of ${chunk.end - chunk.start} > ${max}`);
        assert.ok(chunk.end > chunk.start);
        expectedStart = chunk.end;
      }
      assert.equal(expectedStart, [...text].length);
    }
  });

  it("keeps shifted positions indexing into the whole text", () => {
    const random = rng(11);
    for (let round = 0; round < 30; round++) {
      const text = randomText(random, 300);
      const whole = [...text];
      const chunks = chunkText(text, 20 + Math.floor(random() * 200));
      for (const chunk of chunks) {
        for (const item of wordItems(chunk.text)) {
          const shifted = shiftLanguagePrediction(item, chunk.start);
          assert.equal(whole.slice(shifted.position.begin, shifted.position.end).join(""), shifted.text);
        }
      }
    }
  });

  it("prefers line breaks and sentence ends, and never splits a word when whitespace exists", () => {
    const sentence = "This is a sentence. ";
    const text = sentence.repeat(10);
    for (const chunk of chunkText(text, 50).slice(0, -1)) assert.ok(chunk.text.endsWith(". "), JSON.stringify(chunk.text));
    const lines = "alpha beta gamma\ndelta epsilon zeta eta\n";
    assert.deepEqual(chunkText(lines, 30).map((c) => c.text), ["alpha beta gamma\n", "delta epsilon zeta eta\n"]);
    const words = chunkText("aaaa bbbb cccc dddd", 7);
    assert.deepEqual(words.map((c) => c.text), ["aaaa ", "bbbb ", "cccc ", "dddd"]);
    assert.deepEqual(chunkText("😀😀😀😀😀", 2).map((c) => c.text), ["😀😀", "😀😀", "😀"]);
    assert.deepEqual(chunkText("", 10), []);
  });
});

describe("wavWindows", () => {
  it("cuts N samples into ceil(N/win) WAV files with correct headers", () => {
    for (const [n, win] of [[100, 30], [90, 30], [1, 30], [72_000, 72_000], [176_000, 72_000]] as const) {
      const samples = Float32Array.from({ length: n }, (_, i) => Math.sin(i / 10) * 0.5);
      const windows = wavWindows(samples, 16_000, win);
      assert.equal(windows.length, Math.ceil(n / win));
      let total = 0;
      windows.forEach((w, i) => {
        const view = new DataView(w.wav.buffer, w.wav.byteOffset, w.wav.byteLength);
        const ascii = (o: number) => String.fromCharCode(...w.wav.subarray(o, o + 4));
        assert.equal(ascii(0), "RIFF");
        assert.equal(ascii(8), "WAVE");
        assert.equal(ascii(12), "fmt ");
        assert.equal(ascii(36), "data");
        assert.equal(view.getUint32(4, true), w.wav.length - 8);
        assert.equal(view.getUint16(20, true), 1);
        assert.equal(view.getUint16(22, true), 1);
        assert.equal(view.getUint32(24, true), 16_000);
        assert.equal(view.getUint32(28, true), 32_000);
        assert.equal(view.getUint16(32, true), 2);
        assert.equal(view.getUint16(34, true), 16);
        assert.equal(view.getUint32(40, true), w.length * 2);
        assert.equal(w.wav.length, 44 + w.length * 2);
        assert.equal(w.startSample, i * win);
        assert.ok(w.length <= win);
        const decoded = wavSamples(w.wav);
        for (let j = 0; j < decoded.length; j += 7) assert.ok(Math.abs(decoded[j]! - samples[w.startSample + j]!) < 1e-4);
        total += w.length;
      });
      assert.equal(total, n);
    }
  });

  it("clips out-of-range samples", () => {
    const wav = encodeWav(Float32Array.from([2, -2, 0]), 16_000);
    const view = new DataView(wav.buffer);
    assert.equal(view.getInt16(44, true), 32767);
    assert.equal(view.getInt16(46, true), -32768);
  });
});

describe("planPayloads", () => {
  const decode = async (bytes: Uint8Array) => wavSamples(bytes);

  it("sends short audio whole and long audio as windows with stream_window_ms", async () => {
    const short = encodeWav(new Float32Array(16_000), 16_000);
    const planShort = await planPayloads(short, { models: ["prosody"], windowMs: 4500, decodeAudio: decode });
    assert.equal(planShort.kind, "audio");
    assert.equal(planShort.payloads.length, 1);
    assert.equal(planShort.streamWindowMs, undefined);

    const long = encodeWav(new Float32Array(16_000 * 10), 16_000);
    const plan = await planPayloads(long, { models: ["prosody"], windowMs: 4500, decodeAudio: decode });
    assert.equal(plan.payloads.length, 3);
    assert.equal(plan.streamWindowMs, 4500);
    assert.deepEqual(plan.payloads.map((p) => (p.type === "bytes" ? p.startMs : -1)), [0, 4500, 9000]);
  });

  it("falls back to one payload when decoding fails", async () => {
    const long = encodeWav(new Float32Array(16_000 * 10), 16_000);
    const plan = await planPayloads(long, {
      models: ["prosody"],
      windowMs: 4500,
      decodeAudio: async () => {
        throw new Error("boom");
      },
    });
    assert.equal(plan.payloads.length, 1);
    assert.match(plan.notes[0] ?? "", /boom/);
  });

  it("detects text, facemesh and images", async () => {
    const text = await planPayloads(Buffer.from("\uFEFFhello world"), { models: ["language"], windowMs: 4500 });
    assert.equal(text.kind, "text");
    assert.deepEqual(text.payloads, [{ type: "text", text: "hello world", offset: 0 }]);
    const mesh = await planPayloads(Buffer.from("[[[0,0,0]]]"), { models: ["facemesh"], windowMs: 4500 });
    assert.equal(mesh.kind, "facemesh");
    assert.equal(mesh.payloads[0]?.type, "bytes");
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    assert.equal((await planPayloads(png, { models: ["face"], windowMs: 4500 })).kind, "image");
  });
});

describe("mergeResults", () => {
  it("orders timed predictions and drops exact repeats from overlapping windows", () => {
    const item = (begin: number, end: number): TimedPrediction => ({ time: { begin, end }, emotions: [] });
    const payload = { type: "bytes" as const, bytes: new Uint8Array() };
    const out = mergeResults("x.wav", ["prosody"], [
      { index: 1, payload, reply: { prosody: { predictions: [item(4, 6), item(6, 8)] } } },
      { index: 0, payload, reply: { prosody: { predictions: [item(0, 2), item(4, 6)] } } },
      { index: 2, payload, reply: { prosody: { warning: "No speech detected.", code: "W0105" } } },
      { index: 3, payload, error: { code: "E0200", error: "bad" } },
    ]);
    assert.deepEqual(out.models.prosody?.predictions, [item(0, 2), item(4, 6), item(6, 8)]);
    assert.deepEqual(out.warnings, [{ window: 2, model: "prosody", code: "W0105", warning: "No speech detected." }]);
    assert.deepEqual(out.errors, [{ window: 3, code: "E0200", error: "bad" }]);
  });

  it("moves face times and frames from each video window onto the file's", () => {
    const face = (frame: number, time: number) => ({ frame, time, bbox: { x: 0, y: 0, w: 1, h: 1 }, prob: 1, face_id: "face_0", emotions: [] });
    const window = (startMs: number, frameOffset: number) => ({ type: "bytes" as const, bytes: new Uint8Array(), startMs, frameOffset });
    const out = mergeResults("x.mp4", ["face"], [
      { index: 1, payload: window(4500, 45), reply: { face: { predictions: [face(0, 0), face(10, 1)] } } },
      { index: 0, payload: window(0, 0), reply: { face: { predictions: [face(30, 3)] } } },
    ]);
    assert.deepEqual(out.models.face?.predictions.map((p) => [(p as { frame: number }).frame, (p as { time: number }).time]), [[30, 3], [45, 4.5], [55, 5.5]]);
  });
});

describe("videoWindows", { skip: spawnSync("ffmpeg", ["-version"]).status !== 0 ? "ffmpeg is not installed" : false }, () => {
  it("cuts a long video into consecutive windows under the payload limit, with start times and frame offsets", async () => {
    const dir = await mkdtemp(join(tmpdir(), "moodwire-video-test-"));
    try {
      const make = (seconds: number, name: string) => {
        const path = join(dir, name);
        const made = spawnSync("ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", `testsrc=size=96x64:rate=10:duration=${seconds}`,
          "-f", "lavfi", "-i", `sine=frequency=300:duration=${seconds}`, "-c:v", "libx264", "-c:a", "aac", "-shortest", path]);
        assert.equal(made.status, 0, String(made.stderr));
        return readFileSync(path);
      };
      assert.equal(await videoWindows(make(3, "short.mp4"), 4500), undefined);
      const windows = (await videoWindows(make(12, "long.mp4"), 4500))!;
      assert.deepEqual(windows.map((w) => [w.startMs, w.frameOffset]), [[0, 0], [4500, 45], [9000, 90]]);
      for (const [i, w] of windows.entries()) {
        const path = join(dir, `w${i}.mp4`);
        await writeFile(path, w.bytes);
        const probe = spawnSync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path]);
        const seconds = Number(String(probe.stdout).trim());
        assert.ok(seconds <= 4.6 && seconds > 2.5, `window ${i}: ${seconds} s`);
      }
      // A visual model plans the windows as payloads.
      const plan = await planPayloads(make(12, "again.mp4"), { models: ["face", "prosody"], windowMs: 4500 });
      assert.equal(plan.payloads.length, 3);
      assert.deepEqual(plan.payloads.map((p) => (p.type === "bytes" ? p.startMs : -1)), [0, 4500, 9000]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("parseAnalyzeArgs", () => {
  it("validates the command line", () => {
    assert.equal(parseAnalyzeArgs(["--help"]).ok, "help");
    assert.match((parseAnalyzeArgs(["f.txt"]) as { message: string }).message, /--models/);
    assert.match((parseAnalyzeArgs(["--models", "language"]) as { message: string }).message, /missing the input/);
    assert.match((parseAnalyzeArgs(["f", "--models", "voice"]) as { message: string }).message, /unknown model 'voice'/);
    assert.match((parseAnalyzeArgs(["f", "-m", "language", "--granularity", "x"]) as { message: string }).message, /granularity/);
    assert.match((parseAnalyzeArgs(["f", "-m", "prosody", "--window-ms", "20000"]) as { message: string }).message, /--window-ms/);
    assert.match((parseAnalyzeArgs(["f", "-m", "prosody", "--bogus"]) as { message: string }).message, /bogus/);
    const ok = parseAnalyzeArgs(["-", "--models", "language,prosody,language", "--sentiment", "--window-ms", "3000"], { MOODWIRE_API_KEY: "k" });
    assert.ok(ok.ok === true);
    assert.deepEqual(ok.options.models, ["language", "prosody"]);
    assert.equal(ok.options.apiKey, "k");
    assert.equal(ok.options.windowMs, 3000);
    assert.equal(ok.options.sentiment, true);
  });
});

describe("progress", () => {
  it("renders a bar", () => {
    assert.equal(renderBar(3, 7, "windows", 10), "[####......] 3/7 windows");
    assert.equal(renderBar(0, 0, "windows", 4), "[####] 0/0 windows");
  });

  it("draws only on a TTY", () => {
    const writes: string[] = [];
    const quiet = createProgress(3, { isTTY: false, write: (s: string) => writes.push(s) });
    quiet.tick();
    quiet.done();
    assert.equal(writes.length, 0);
    const loud = createProgress(2, { isTTY: true, write: (s: string) => writes.push(s) });
    loud.tick();
    loud.done();
    assert.ok(writes.some((w) => w.includes("1/2 windows")));
  });
});

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs analyze with captured streams; stdout is a terminal unless `piped`. */
async function analyze(args: string[], extra: { stdin?: string | Buffer; decodeAudio?: (b: Uint8Array) => Promise<Float32Array>; piped?: boolean } = {}): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: {
      isTTY: extra.piped !== true,
      write(chunk: string, callback?: (error?: Error | null) => void) {
        stdout += chunk;
        callback?.();
        return true;
      },
    },
    stderr: {
      isTTY: false,
      write(chunk: string) {
        stderr += chunk;
        return true;
      },
    },
    stdin: Readable.from(extra.stdin === undefined ? [] : [Buffer.from(extra.stdin)]),
    env: {},
    ...(extra.decodeAudio === undefined ? {} : { decodeAudio: extra.decodeAudio }),
  };
  const code = await runAnalyze(args, io);
  return { code, stdout, stderr };
}

describe("runAnalyze end to end against a fake server", () => {
  let server: FakeServer;
  let dir: string;
  before(async () => {
    server = await startFakeServer({ apiKey: "key" });
    dir = await mkdtemp(join(tmpdir(), "moodwire-analyze-"));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("streams long text in chunks and shifts positions onto the whole text", async () => {
    const text = randomText(rng(3), 6000);
    assert.ok([...text].length > 25_000);
    const path = join(dir, "long.txt");
    await writeFile(path, text);
    const before = server.frames.length;
    const result = await analyze([path, "--models", "language", "--url", server.url, "--api-key", "key", "--sentiment"]);
    assert.equal(result.code, 0, result.stderr);
    const output = JSON.parse(result.stdout) as AnalyzeOutput;
    assert.equal(output.file, path);
    assert.deepEqual(output.errors, []);
    const frames = server.frames.slice(before);
    assert.ok(frames.length >= 3);
    for (const frame of frames) {
      assert.ok([...String(frame.data)].length <= 10_000);
      assert.deepEqual(frame.models, { language: { sentiment: {} } });
    }
    const whole = [...text];
    const items = output.models.language?.predictions as LanguagePrediction[];
    assert.deepEqual(items.map((i) => i.text), wordItems(text).map((i) => i.text));
    for (const item of items) assert.equal(whole.slice(item.position.begin, item.position.end).join(""), item.text);
  });

  it("reads stdin", async () => {
    const result = await analyze(["-", "-m", "language", "--url", server.url, "--api-key", "key"], { stdin: "hello there" });
    assert.equal(result.code, 0, result.stderr);
    const output = JSON.parse(result.stdout) as AnalyzeOutput;
    assert.equal(output.file, "-");
    assert.deepEqual((output.models.language?.predictions as LanguagePrediction[]).map((p) => p.text), ["hello", "there"]);
  });

  it("streams long audio as WAV windows on one connection and merges the timeline", async () => {
    const path = join(dir, "long.wav");
    await writeFile(path, encodeWav(Float32Array.from({ length: 16_000 * 11 }, (_, i) => Math.sin(i / 5) * 0.3), 16_000));
    const connections = server.connections;
    const before = server.frames.length;
    const result = await analyze([path, "-m", "prosody,burst", "--url", server.url, "--api-key", "key"], { decodeAudio: async (b) => wavSamples(b) });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(server.connections, connections + 1);
    const frames = server.frames.slice(before);
    assert.equal(frames.length, 3);
    for (const frame of frames) assert.equal(frame.stream_window_ms, 4500);
    const output = JSON.parse(result.stdout) as AnalyzeOutput;
    const times = (output.models.prosody?.predictions as TimedPrediction[]).map((p) => [p.time.begin, p.time.end]);
    assert.deepEqual(times, [[0, 4.5], [4.5, 9], [9, 11]]);
    assert.equal(output.models.burst?.predictions.length, 3);
  });

  it("piped: one NDJSON line per window, in window order, on the file's timeline", async () => {
    const path = join(dir, "long-piped.wav");
    await writeFile(path, encodeWav(Float32Array.from({ length: 16_000 * 11 }, (_, i) => Math.sin(i / 5) * 0.3), 16_000));
    const result = await analyze([path, "-m", "prosody", "--url", server.url, "--api-key", "key"], { decodeAudio: async (b) => wavSamples(b), piped: true });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { window: number; start_ms: number; models: AnalyzeOutput["models"] });
    assert.deepEqual(lines.map((l) => [l.window, l.start_ms]), [[0, 0], [1, 4500], [2, 9000]]);
    assert.deepEqual((lines[2]!.models.prosody?.predictions as TimedPrediction[]).map((p) => [p.time.begin, p.time.end]), [[9, 11]]);
    // --pretty gives the merged object even when piped.
    const pretty = await analyze([path, "-m", "prosody", "--url", server.url, "--api-key", "key", "--pretty"], { decodeAudio: async (b) => wavSamples(b), piped: true });
    assert.equal((JSON.parse(pretty.stdout) as AnalyzeOutput).models.prosody?.predictions.length, 3);
  });

  it("--top n: a line per prediction with its n strongest scores", async () => {
    const result = await analyze(["-", "-m", "language", "--url", server.url, "--api-key", "key", "--top", "2"], { stdin: "hello there" });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split("\n");
    assert.match(lines[0]!, /^language: \d+ predictions?$/);
    assert.ok(lines.length > 1);
    // At most two scores per line (the fake server's predictions carry one or more).
    for (const line of lines.slice(1)) assert.match(line, /^ {2}".*" {2}[^,]+ \d\.\d\d(, [^,]+ \d\.\d\d)?$/);
  });

  it("refuses two output formats at once and a --top outside 1–53", async () => {
    for (const args of [["--pretty", "--ndjson"], ["--top", "0"], ["--top", "x"], ["--top", "3", "--pretty"]]) {
      const result = await analyze(["-", "-m", "language", ...args]);
      assert.equal(result.code, 2, args.join(" "));
    }
  });

  it("decodes compressed audio (ffmpeg) before windowing", { skip: spawnSync("ffmpeg", ["-version"]).status !== 0 }, async () => {
    const path = join(dir, "tone.flac");
    // 44.1 kHz stereo FLAC: decoded to 16 kHz mono, then cut into 2 s windows.
    const made = spawnSync("ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=6", "-ac", "2", "-ar", "44100", path]);
    assert.equal(made.status, 0, String(made.stderr));
    const result = await analyze([path, "-m", "prosody", "--url", server.url, "--api-key", "key", "--window-ms", "2000"]);
    assert.equal(result.code, 0, result.stderr);
    const output = JSON.parse(result.stdout) as AnalyzeOutput;
    const items = output.models.prosody?.predictions as TimedPrediction[];
    assert.equal(items.length, 3);
    assert.deepEqual(items.slice(0, 2).map((p) => [p.time.begin, p.time.end]), [[0, 2], [2, 4]]);
    assert.ok(Math.abs(items.at(-1)!.time.end - 6) < 0.05);
  });

  it("exits 1 and still prints the JSON when a window fails", async () => {
    const result = await analyze(["-", "-m", "language", "--url", server.url, "--api-key", "key"], { stdin: "ERROR in this one" });
    assert.equal(result.code, 1);
    const output = JSON.parse(result.stdout) as AnalyzeOutput;
    assert.deepEqual(output.errors, [{ window: 0, code: "E0101", error: "Fake failure requested by the test." }]);
  });

  it("reports authentication failures", async () => {
    const result = await analyze(["-", "-m", "language", "--url", server.url, "--api-key", "nope"], { stdin: "hi" });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /authentication failed \(HTTP 401\)/);
  });

  it("exits 2 with usage on bad arguments or an unreadable file", async () => {
    const bad = await analyze(["--models", "language"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Usage: moodwire analyze/);
    const missing = await analyze([join(dir, "absent.txt"), "-m", "language", "--url", server.url]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read/);
  });
});

describe("runAnalyze against a Moodwire server", () => {
  it("fails fast, one line per model the server does not serve, and sends nothing; a base URL is fine", async () => {
    const server = await startTestServer({ factories: [fakeLanguage] });
    const dir = await mkdtemp(join(tmpdir(), "moodwire-analyze-"));
    try {
      const input = join(dir, "note.txt");
      await writeFile(input, "What a lovely day.");
      const base = `http://127.0.0.1:${server.port}`;
      const refused = await analyze([input, "--models", "language,prosody,face", "--url", base]);
      assert.equal(refused.code, 2);
      assert.deepEqual(refused.stderr.trim().split("\n"), [
        "moodwire analyze: the server does not serve 'prosody' (it serves: language)",
        "moodwire analyze: the server does not serve 'face' (it serves: language)",
      ]);
      assert.equal(refused.stdout, "");
      assert.equal(metricSample((await httpGet(server.port, "/metrics")).body, "moodwire_messages_total"), 0);
      const served = await analyze([input, "--models", "language", "--url", base]);
      assert.equal(served.code, 0, served.stderr);
    } finally {
      await server.shutdown();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
