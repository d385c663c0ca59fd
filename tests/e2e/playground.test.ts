// The playground page (GET /) in headless Chromium against a real server with every installed model, API
// keys on and a short idle timeout: the page explains a refused handshake, shows an error code's message,
// renders predictions for text, the fake camera (a face image) and the fake microphone (speech), and
// reconnects after the server closed an idle socket. It saves a screenshot in its temp folder, and to
// MOODWIRE_PLAYGROUND_SCREENSHOT when set (`npm run screenshot:playground` writes docs/playground.png).
// No timing assertions: each wait is for something to appear.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { defaultConfig } from "../../src/server/config.js";
import { startServer, type RunningServer } from "../../src/server/server.js";
import { browserSkip, fakeMediaFiles, launchChromium } from "../support/browser.js";
import { MediaFixtures } from "../support/media.js";

const KEY = "playground-e2e-key";
const MAX_TEXT_CHARS = 200;
const IDLE_TIMEOUT_MS = 3000;
const WAIT = { timeout: 30_000 };

describe("the playground page in Chromium", { skip: browserSkip() }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let fixtures: MediaFixtures;

  before(async () => {
    fixtures = new MediaFixtures();
    const config = defaultConfig();
    [server, browser] = await Promise.all([
      startServer({ ...config, port: 0, apiKeys: [KEY], workers: 1, limits: { ...config.limits, maxTextChars: MAX_TEXT_CHARS, idleTimeoutMs: IDLE_TIMEOUT_MS }, logLevel: "silent" }),
      launchChromium(fakeMediaFiles(fixtures)),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.locator('body[data-ready="true"]').waitFor(WAIT);
  });

  after(async () => {
    await browser?.close();
    await server?.shutdown();
    fixtures?.dispose();
  });

  it("says a key is needed when the handshake is refused without one", async () => {
    await page.fill("#text", "Hello");
    await page.locator("#log").getByText("This server requires an API key").waitFor(WAIT);
    assert.match(await page.locator("#lanes li[data-lane=text]").innerText(), /refused/);
  });

  it("shows an error code with its message: text over the server's limit is E0206", async () => {
    await page.fill("#api-key", KEY);
    await page.locator("#api-key").dispatchEvent("change");
    await page.fill("#text", "word ".repeat(MAX_TEXT_CHARS / 4));
    await page.locator("#text-output").getByText("E0206: Text is longer than the character limit").waitFor(WAIT);
    assert.match(await page.locator("#log").innerText(), /E0206/);
  });

  it("tints each word by its top emotion and shows its scores on keyboard focus", async () => {
    await page.fill("#text", "I love this wonderful day, but the traffic made me furious.");
    const words = page.locator("#text-output .word");
    await words.nth(9).waitFor(WAIT);
    assert.ok((await words.count()) >= 10);
    await words.nth(1).focus();
    const details = await page.locator("#word-details").innerText();
    assert.match(details, /“love”: \w+/);
    assert.match(details, /Sentiment \d\.\d on 1 \(negative\) to 9 \(positive\)/);
    assert.match(details, /Toxicity: /);
  });

  it("reconnects when the server has closed the idle text socket", async () => {
    await page.locator("#log").getByText("text: closed after a while without requests").waitFor(WAIT);
    await page.fill("#text", "What a lovely surprise, but the traffic made me furious.");
    await page.locator("#text-output .word", { hasText: "lovely" }).waitFor(WAIT);
    assert.match(await page.locator("#lanes li[data-lane=text]").innerText(), /connected/);
  });

  it("boxes and names the camera's face with its top expressions", async () => {
    await page.click("#camera");
    const face = page.locator("#faces li").filter({ hasText: "face_0" });
    await face.waitFor(WAIT);
    assert.match(await face.innerText(), /^face_0 \(\d+ % a face\): [A-Z][\w ()]+ \d\.\d\d/);
    assert.match(await page.locator("#face-bars").innerText(), /Action units \(facs\)/);
  });

  it("puts the microphone's speech on the timeline with its top expressions", async () => {
    await page.click("#microphone");
    const speech = page.locator("#voice-latest li").filter({ hasText: "Latest speech segment" });
    await speech.waitFor(WAIT);
    assert.match(await speech.innerText(), /\d+\.\d–\d+\.\d s: [A-Z]/);
  });

  it("fits a phone's width without sideways scrolling", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    assert.ok((await page.evaluate("document.documentElement.scrollWidth")) as number <= 390);
    await page.setViewportSize({ width: 1280, height: 1000 });
  });

  it("saves a screenshot of the page with all three", async () => {
    // A few seconds of speech on the timeline first (the fake microphone loops a 4.5 s sentence).
    await page.locator("#voice-latest li", { hasText: /–([3-9]|\d\d)\.\d s/ }).waitFor(WAIT);
    await page.click("#pause");
    await page.locator("#text-output .word", { hasText: "lovely" }).focus();
    const path = join(fixtures.dir, "playground.png");
    const png = await page.screenshot({ path, fullPage: true });
    assert.ok(png.length > 0);
    const docs = process.env.MOODWIRE_PLAYGROUND_SCREENSHOT;
    // For the README: a palette PNG, a fraction of the size.
    if (docs !== undefined && docs !== "") await sharp(png).png({ palette: true, quality: 90 }).toFile(docs);
    console.log(`# playground screenshot: ${path}${docs ? ` and ${docs}` : ""}`);
  });
});
