// Decrypt + decode of one 20 ms frame (tests/bench/client/decrypt_decode.cpp), one source built
// three ways: native, WebAssembly under Node, WebAssembly in the browsers (the web build served
// with COOP/COEP from a tiny server on 127.0.0.1, its JSON line read from the console): Chromium
// through playwright-core, Firefox ESR headless through puppeteer-core (WebDriver BiDi), with the
// timer-precision prefs off so performance.now() is as fine as Chromium's isolated 5 µs (they
// change the clock's rounding, not the speed of the code). All run alternately, REPS times (the
// order reversed every other repetition), so the ratios compare runs made side by side on the
// same noisy machine.
//
//   node tests/bench/web/decrypt-decode.mjs
// Environment: REPS (7), ROUNDS (40, per run), BATCH (10 frames per timed batch), BROWSERS
// ("chromium firefox"), STOA_BENCH_NATIVE (default
// $STOA_NATIVE_BUILD/tests/bench/client/stoa_bench_decrypt_decode), STOA_WASM_BUILD (build/wasm),
// FIREFOX (/usr/bin/firefox-esr), PUPPETEER_CORE (a directory holding node_modules/puppeteer-core,
// when tests/web has none).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { launchBrowser, nativeBuild, repoRoot, withTimeout } from '../../web/harness.mjs';
import { envNumber, fixed, median, printTable, serveFiles } from './common.mjs';

const run = promisify(execFile);
const reps = envNumber('REPS', 7);
const rounds = envNumber('ROUNDS', 40);
const batch = envNumber('BATCH', 10);
const nativeBench = path.resolve(repoRoot, process.env.STOA_BENCH_NATIVE ?? path.join(nativeBuild, 'tests/bench/client/stoa_bench_decrypt_decode'));
const wasmDir = path.join(path.resolve(repoRoot, process.env.STOA_WASM_BUILD ?? 'build/wasm'), 'wasm');
const nodeBench = path.join(wasmDir, 'stoa_bench_decrypt_decode.js');
const webBench = path.join(wasmDir, 'stoa_bench_decrypt_decode_web.js');
const RUN_TIMEOUT = 300_000;
const browsers = (process.env.BROWSERS ?? 'chromium firefox').split(/[\s,]+/).filter(Boolean);
for (const name of browsers) if (!['chromium', 'firefox'].includes(name)) throw new Error(`BROWSERS: unknown ${name}`);
const firefoxPath = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
if (browsers.includes('firefox') && !existsSync(firefoxPath)) throw new Error(`${firefoxPath} is missing: apt-get install firefox-esr`);

for (const [file, how] of [
  [nativeBench, 'cmake --build <native build> --target stoa_bench_decrypt_decode'],
  [nodeBench, 'cmake --build build/wasm --target stoa_bench_decrypt_decode'],
  [webBench, 'cmake --build build/wasm --target stoa_bench_decrypt_decode_web'],
]) {
  if (!existsSync(file)) throw new Error(`${file} is missing: ${how}`);
}

function parse(text, what) {
  const line = text.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`${what} printed no JSON line: ${text}`);
  const result = JSON.parse(line);
  // A binary built from the source before batches were timed has no batch_frames.
  if (!('batch_frames' in result)) throw new Error(`${what} is stale (no batch_frames): rebuild it`);
  return result;
}

const args = [String(rounds), String(batch)];

async function runNative() {
  const { stdout } = await run(nativeBench, args, { timeout: RUN_TIMEOUT });
  return parse(stdout, nativeBench);
}

async function runNode() {
  const { stdout } = await run(process.execPath, ['--no-experimental-fetch', nodeBench, ...args], { timeout: RUN_TIMEOUT });
  return parse(stdout, nodeBench);
}

// The page runs main() on load with Module.arguments from its query string.
// (An empty data: icon, or Chromium asks for /favicon.ico and logs the 404 as a console error.)
const benchPage = `<!doctype html><meta charset="utf-8"><title>decrypt+decode</title><link rel="icon" href="data:,">
<script>var Module = { arguments: new URLSearchParams(location.search).getAll('arg') };</script>
<script src="stoa_bench_decrypt_decode_web.js"></script>`;

const server = await serveFiles({
  '/bench.html': { body: benchPage, type: 'text/html; charset=utf-8' },
  '/stoa_bench_decrypt_decode_web.js': webBench,
  '/stoa_bench_decrypt_decode_web.wasm': path.join(wasmDir, 'stoa_bench_decrypt_decode_web.wasm'),
});
// puppeteer-core from tests/web's node_modules, or from $PUPPETEER_CORE.
async function loadPuppeteer() {
  const bases = [path.join(repoRoot, 'tests/web/package.json')];
  if (process.env.PUPPETEER_CORE) bases.push(path.join(path.resolve(process.env.PUPPETEER_CORE), 'package.json'));
  for (const base of bases) {
    try {
      const module = await import(pathToFileURL(createRequire(base).resolve('puppeteer-core')).href);
      return module.default ?? module;
    } catch {
      // not installed there
    }
  }
  throw new Error('puppeteer-core is missing: (cd tests/web && npm ci), or set PUPPETEER_CORE to a directory where it is installed');
}

const chromium = browsers.includes('chromium') ? await launchBrowser() : null;
const firefox = browsers.includes('firefox')
  ? await (await loadPuppeteer()).launch({
    browser: 'firefox',
    executablePath: firefoxPath,
    headless: true,
    timeout: 60_000,
    extraPrefsFirefox: {
      'privacy.reduceTimerPrecision': false,
      'privacy.reduceTimerPrecision.unconditional': false,
      'privacy.resistFingerprinting': false,
    },
  })
  : null;
const isolated = {};
const versions = {};
if (chromium) versions.chromium = chromium.version();
if (firefox) versions.firefox = await firefox.version();

// Both drivers' pages have goto(), on('console') with text() and type(), evaluate() and close().
async function runInBrowser(name, browser) {
  const page = await browser.newPage();
  try {
    const line = new Promise((resolve, reject) => {
      page.on('console', (message) => {
        const text = message.text();
        if (text.startsWith('{')) resolve(text);
        else if (message.type() === 'error') reject(new Error(`console error: ${text}`));
      });
      page.on('pageerror', (error) => reject(error));
    });
    const query = args.map((a) => `arg=${encodeURIComponent(a)}`).join('&');
    await page.goto(`${server.url}bench.html?${query}`);
    const text = await withTimeout(line, RUN_TIMEOUT, `the ${name} bench to print its JSON line`);
    isolated[name] = await page.evaluate(() => self.crossOriginIsolated);
    return parse(text, `the ${name} bench`);
  } finally {
    await page.close();
  }
}

const runners = {
  native: runNative,
  node: runNode,
  chromium: () => runInBrowser('chromium', chromium),
  firefox: () => runInBrowser('firefox', firefox),
};
const engines = ['native', 'node', ...browsers];
const results = Object.fromEntries(engines.map((name) => [name, []]));
const labels = { native: 'native (g++)', node: 'wasm, Node', chromium: 'wasm, Chromium', firefox: 'wasm, Firefox' };
try {
  console.log(`decrypt+decode: ${reps} repetitions of ${engines.join(', ')} alternately, ${rounds} rounds x 500 frames each, batches of ${batch} frames`);
  console.log(`native: ${path.relative(repoRoot, nativeBench)}; node ${process.version}: ${path.relative(repoRoot, nodeBench)}; browsers: ${path.relative(repoRoot, webBench)} (${Object.entries(versions).map(([name, version]) => `${name} ${version}`).join(', ')})`);
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? engines : [...engines].reverse();
    for (const name of order) {
      const result = await runners[name]();
      results[name].push(result);
      console.log(`rep ${rep + 1} ${name.padEnd(8)} ${JSON.stringify(result)}`);
    }
  }
} finally {
  await chromium?.close();
  await firefox?.close();
  await server.close();
}

const checksums = new Set(Object.values(results).flat().map((r) => r.checksum));
if (checksums.size !== 1) throw new Error(`the three builds decoded different audio: checksums ${[...checksums]}`);

console.log(`\npages cross-origin isolated: ${Object.entries(isolated).map(([name, value]) => `${name} ${value}`).join(', ')}`);
console.log('per frame, µs: median over repetitions of each run\'s sum of per-batch minima; ratio = median over repetitions of the ratio to that repetition\'s native run\n');
const rows = [];
for (const name of engines) {
  const list = results[name];
  const ratio = (key) => (name === 'native' ? 1 : median(list.map((r, i) => r[key] / results.native[i][key])));
  rows.push([
    labels[name],
    fixed(median(list.map((r) => r.decrypt_us)), 3),
    fixed(median(list.map((r) => r.decode_us))),
    fixed(median(list.map((r) => r.decrypt_decode_us))),
    `${fixed(Math.min(...list.map((r) => r.decrypt_decode_us)))}-${fixed(Math.max(...list.map((r) => r.decrypt_decode_us)))}`,
    fixed(ratio('decrypt_decode_us'), 3),
    fixed(median(list.map((r) => r.median_decrypt_decode_us))),
    fixed(ratio('median_decrypt_decode_us'), 3),
  ]);
}
printTable(['build', 'decrypt', 'decode', 'decrypt+decode', 'range over reps', 'ratio', 'median-of-rounds', 'its ratio'], rows);
const target = 1.3;
for (const name of engines.filter((n) => n !== 'native')) {
  const ratio = median(results[name].map((r, i) => r.decrypt_decode_us / results.native[i].decrypt_decode_us));
  console.log(`target wasm <= ${target}x native, ${name}: ${fixed(ratio, 3)}x -> ${ratio <= target ? 'met' : 'NOT met'}`);
}
