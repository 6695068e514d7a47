// WebKitGTK for the engine tests: Debian's MiniBrowser (webkit2gtk-driver) driven by
// selenium-webdriver through WebKitWebDriver, on an Xvfb display (MiniBrowser has no headless
// mode), its audio going to a PulseAudio null sink. WebKitWebDriver serves one session at a time,
// so every page is a driver of its own with its own MiniBrowser (an automation session, so its own
// ephemeral storage: its own identity). The mock microphone (--enable-mock-capture-devices) is
// WebKit's MockRealtimeAudioSource.
import { existsSync, writeFileSync } from 'node:fs';
import { Builder } from 'selenium-webdriver';
import { EnginePage } from './page.mjs';
import { startPulseAudio, startWebKitWebDriver, startXvfb } from './services.mjs';

export const name = 'webkit';
export const binary = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
// What the mock microphone sounds like (WebCore's MockRealtimeAudioSource): a continuous 150 Hz
// hum at 0.1 of full scale, and every two seconds a 70 ms "bip" at 1500 Hz and, a second later, a
// "bop" at 500 Hz, both at 0.5. The hum is the strongest over most windows; a listener's window
// that holds a bip or a bop hears that instead. Measured here: 150 Hz at about -19 dBFS.
export const microphone = { tones: [150, 500, 1500], toleranceHz: 5, minLevelDbfs: -40, what: "mock microphone's 150 Hz hum (or its 500/1500 Hz beeps)" };

export function missing() {
  const needed = [
    [binary, 'webkit2gtk-driver'],
    ['/usr/bin/WebKitWebDriver', 'webkit2gtk-driver'],
    ['/usr/bin/Xvfb', 'xvfb'],
    ['/usr/bin/pulseaudio', 'pulseaudio'],
  ];
  for (const [file, debianPackage] of needed) {
    if (!existsSync(file)) return `${file} is missing (Debian package ${debianPackage}; bash ci/setup.sh installs it)`;
  }
  return null;
}

const capabilities = {
  browserName: 'MiniBrowser',
  'webkitgtk:browserOptions': {
    binary,
    args: ['--automation', '--enable-mock-capture-devices=true', '--enable-media-stream=true'],
  },
};

// Values cross the classic WebDriver protocol as JSON, which has no -Infinity (a silent meter's
// level): the page encodes non-finite numbers and Node decodes them.
const encodeNonFinite = (key, value) => (typeof value === 'number' && !Number.isFinite(value) ? { nonFinite: String(value) } : value);
const decodeNonFinite = (key, value) =>
  value && typeof value === 'object' && Object.keys(value).length === 1 && typeof value.nonFinite === 'string' ? Number(value.nonFinite) : value;

// WebKitWebDriver has no log endpoint and no BiDi: the page's errors are collected by listeners
// put in after each navigation (an error thrown while the page loads is missed; see README).
function watchErrors() {
  if (window.stoaEngineErrors) return;
  const errors = (window.stoaEngineErrors = []);
  const consoleError = console.error.bind(console);
  console.error = (...args) => {
    errors.push(`console: ${args.map(String).join(' ')}`);
    consoleError(...args);
  };
  window.addEventListener('error', (event) => errors.push(`pageerror: ${event.message}`));
  window.addEventListener('unhandledrejection', (event) => errors.push(`pageerror: ${event.reason}`));
}

function wrap(driver, stopDriver) {
  const evaluate = async (fn, arg) => {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${fn.toString()})(arguments[0])).then(
        (value) => done({ value: JSON.stringify(value === undefined ? null : value, ${encodeNonFinite.toString()}) }),
        (error) => done({ error: String((error && error.stack) || error) }));`;
    const result = await driver.executeAsyncScript(script, arg === undefined ? null : arg);
    if (result.error !== undefined) throw new Error(`webkit: in the page: ${result.error}`);
    return JSON.parse(result.value, decodeNonFinite);
  };
  return new EnginePage(name, {
    goto: async (url) => {
      await driver.get(url);
      await driver.executeScript(`(${watchErrors.toString()})()`);
    },
    evaluate,
    elementBy: (fn, arg) => driver.executeScript(`return (${fn.toString()})(arguments[0]);`, arg),
    click: (element) => element.click(),
    type: async (element, text) => {
      await element.clear();
      await element.sendKeys(text);
    },
    screenshot: async (file) => writeFileSync(file, Buffer.from(await driver.takeScreenshot(), 'base64')),
    errors: async () => [...(await evaluate(() => window.stoaEngineErrors ?? []))],
    close: async () => {
      try {
        await driver.quit();
      } finally {
        await stopDriver();
      }
    },
  });
}

export async function start() {
  const pulse = await startPulseAudio();
  let display;
  try {
    display = await startXvfb();
  } catch (error) {
    await pulse.stop();
    throw error;
  }
  const env = { ...process.env, DISPLAY: display.display, PULSE_SERVER: pulse.server };
  return {
    async launch() {
      const pages = new Set();
      return {
        async newPage() {
          const service = await startWebKitWebDriver({ env });
          let driver;
          try {
            driver = await new Builder().usingServer(service.url).withCapabilities(capabilities).build();
            await driver.manage().setTimeouts({ script: 60_000, pageLoad: 30_000 });
          } catch (error) {
            await service.stop();
            throw error;
          }
          const page = wrap(driver, service.stop);
          pages.add(page);
          return page;
        },
        async close() {
          for (const page of pages) await page.close().catch(() => {});
          pages.clear();
        },
      };
    },
    async stop() {
      await display.stop();
      await pulse.stop();
    },
  };
}
