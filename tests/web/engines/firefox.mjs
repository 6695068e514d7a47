// Firefox for the engine tests: Debian's firefox-esr, headless, through puppeteer-core over
// WebDriver BiDi (no geckodriver, no browser download). Its fake microphone
// (media.navigator.streams.fake) is a 1 kHz sine; its audio goes to a PulseAudio null sink the
// suite starts (Firefox runs no AudioContext without a sound server). Each page has its own
// browser context (a BiDi user context), so its own identity.
import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { EnginePage } from './page.mjs';
import { startPulseAudio } from './services.mjs';

export const name = 'firefox';
export const binary = '/usr/bin/firefox-esr';
// What the fake microphone sounds like: the frequencies a listener may hear as the strongest.
export const microphone = { tones: [1000], toleranceHz: 5, minLevelDbfs: -40, what: "fake microphone's 1 kHz tone" };

export function missing() {
  if (!existsSync(binary)) return `${binary} is missing (Debian package firefox-esr; bash ci/setup.sh installs it)`;
  for (const tool of ['/usr/bin/pulseaudio']) {
    if (!existsSync(tool)) return `${tool} is missing (Debian package pulseaudio; bash ci/setup.sh installs it)`;
  }
  return null;
}

function wrap(page, context) {
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
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
    type: async (element, text) => {
      await element.evaluate((field) => field.select());
      await element.type(text);
    },
    screenshot: (file) => page.screenshot({ path: file, fullPage: true }),
    errors: () => [...errors],
    close: () => context.close(),
  });
}

// One Firefox serves the whole suite (starting one takes seconds); each launch() is a set of
// browser contexts in it that close() closes. A Firefox that died is started again.
export async function start() {
  const pulse = await startPulseAudio();
  let firefox = null;
  const running = async () => {
    if (firefox?.connected) return firefox;
    firefox = await puppeteer.launch({
      browser: 'firefox',
      executablePath: binary,
      headless: true,
      timeout: 30_000,
      protocolTimeout: 60_000,
      extraPrefsFirefox: {
        // getUserMedia gets Firefox's fake devices (a 1 kHz tone for audio), without a prompt.
        'media.navigator.streams.fake': true,
        'media.navigator.permission.disabled': true,
      },
      env: { ...process.env, PULSE_SERVER: pulse.server },
    });
    return firefox;
  };
  return {
    async launch() {
      const browser = await running();
      const contexts = new Set();
      return {
        async newPage() {
          const context = await browser.createBrowserContext();
          contexts.add(context);
          return wrap(await context.newPage(), context);
        },
        async close() {
          for (const context of contexts) await context.close().catch(() => {});
          contexts.clear();
        },
      };
    },
    async stop() {
      try {
        await firefox?.close();
      } finally {
        await pulse.stop();
      }
    },
  };
}
