// Chromium for the engine tests: Debian's /usr/bin/chromium through playwright-core, launched by
// harness.mjs's launchBrowser() with a WAV file as its fake microphone (the harness's makeToneWav,
// 440 Hz). Each page has its own browser context, so its own identity (IndexedDB).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { artifactsDir, chromiumPath, collectConsoleErrors, launchBrowser, makeToneWav } from '../harness.mjs';
import { EnginePage } from './page.mjs';

export const name = 'chromium';
// What the fake microphone sounds like: the frequencies a listener may hear as the strongest.
export const microphone = { tones: [440], toleranceHz: 5, minLevelDbfs: -40, what: "fake microphone's 440 Hz WAV" };

// Why the engine cannot run here, or null.
export function missing() {
  return existsSync(chromiumPath) ? null : `${chromiumPath} is missing (Debian package chromium; bash ci/setup.sh installs it)`;
}

function wrap(page) {
  const errors = collectConsoleErrors(page);
  return new EnginePage(name, {
    goto: (url) => page.goto(url),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    elementBy: async (fn, arg) => {
      const handle = await page.evaluateHandle(fn, arg);
      const element = handle.asElement();
      if (!element) await handle.dispose();
      return element;
    },
    click: (element) => element.click(),
    type: (element, text) => element.fill(text),
    screenshot: (file) => page.screenshot({ path: file, fullPage: true }),
    errors: () => [...errors],
    close: () => page.close(),
  });
}

// Starts what the engine needs for a suite (here only the microphone's WAV file); resolves with
// {launch(), stop()}; launch() resolves with a browser {newPage(), close()}.
export async function start() {
  const wav = await makeToneWav(path.join(artifactsDir, `engines-tone-${microphone.tones[0]}.wav`), microphone.tones[0], 10);
  return {
    async launch() {
      const browser = await launchBrowser({ fakeAudioWav: wav });
      return {
        newPage: async () => wrap(await browser.newPage()),
        close: () => browser.close(),
      };
    },
    stop: async () => {},
  };
}
