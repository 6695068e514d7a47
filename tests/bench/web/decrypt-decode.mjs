// Decrypt + decode of one 20 ms frame (tests/bench/client/decrypt_decode.cpp), one source built
// three ways: native, WebAssembly under Node, WebAssembly in Chromium (the web build served with
// COOP/COEP from a tiny server on 127.0.0.1, its JSON line read from the console). The three run
// alternately, REPS times (the order reversed every other repetition), so the ratios compare runs
// made side by side on the same noisy machine.
//
//   node tests/bench/web/decrypt-decode.mjs
// Environment: REPS (7), ROUNDS (40, per run), BATCH (10 frames per timed batch),
// STOA_BENCH_NATIVE (default $STOA_NATIVE_BUILD/tests/bench/client/stoa_bench_decrypt_decode),
// STOA_WASM_BUILD (build/wasm).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
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
const browser = await launchBrowser();
let isolated = null;

async function runChromium() {
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
    const text = await withTimeout(line, RUN_TIMEOUT, 'the Chromium bench to print its JSON line');
    isolated = await page.evaluate(() => self.crossOriginIsolated);
    return parse(text, 'the Chromium bench');
  } finally {
    await page.close();
  }
}

const runners = { native: runNative, node: runNode, chromium: runChromium };
const results = { native: [], node: [], chromium: [] };
try {
  console.log(`decrypt+decode: ${reps} repetitions of native, Node and Chromium alternately, ${rounds} rounds x 500 frames each, batches of ${batch} frames`);
  console.log(`native: ${path.relative(repoRoot, nativeBench)}; node ${process.version}: ${path.relative(repoRoot, nodeBench)}; chromium: ${path.relative(repoRoot, webBench)} (${(await browser.version())})`);
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? ['native', 'node', 'chromium'] : ['chromium', 'node', 'native'];
    for (const name of order) {
      const result = await runners[name]();
      results[name].push(result);
      console.log(`rep ${rep + 1} ${name.padEnd(8)} ${JSON.stringify(result)}`);
    }
  }
} finally {
  await browser.close();
  await server.close();
}

const checksums = new Set(Object.values(results).flat().map((r) => r.checksum));
if (checksums.size !== 1) throw new Error(`the three builds decoded different audio: checksums ${[...checksums]}`);

console.log(`\nChromium page cross-origin isolated (5 µs timer): ${isolated}`);
console.log('per frame, µs: median over repetitions of each run\'s sum of per-batch minima; ratio = median over repetitions of the ratio to that repetition\'s native run\n');
const rows = [];
for (const name of ['native', 'node', 'chromium']) {
  const list = results[name];
  const ratio = (key) => (name === 'native' ? 1 : median(list.map((r, i) => r[key] / results.native[i][key])));
  rows.push([
    name === 'native' ? 'native (g++)' : name === 'node' ? 'wasm, Node' : 'wasm, Chromium',
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
for (const name of ['node', 'chromium']) {
  const ratio = median(results[name].map((r, i) => r.decrypt_decode_us / results.native[i].decrypt_decode_us));
  console.log(`target wasm <= ${target}x native, ${name}: ${fixed(ratio, 3)}x -> ${ratio <= target ? 'met' : 'NOT met'}`);
}
