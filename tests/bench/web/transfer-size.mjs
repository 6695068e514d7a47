// The client's transferred size: Chromium opens the client served by a real stoa-server
// (--web-root build/wasm/web, which sends each file's gzip twin), joins a room a native tone bot
// created, and presses Listen (so the playback worklet loads too). Every HTTP response that came
// from the network (not from a cache) is listed with its encoded body size as Chromium's network
// service read it (its net-log: URL_REQUEST_JOB_BYTES_READ), which covers the page, the dedicated
// worker's script and its importScripts, the wasm and the worklet. Two cross-checks: Playwright's
// request.sizes().responseBodySize where Playwright sees the request (it does not see the
// worklet's, and reports 0 for the worker script), and the file's .gz twin on disk, which the
// body must equal when gzip was sent.
//
//   node tests/bench/web/transfer-size.mjs
// Environment: STOA_NATIVE_BUILD (stoa-server, stoa-bot; build/native), STOA_WASM_BUILD (build/wasm).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchBrowser, repoRoot, startBot, startServer, withTimeout } from '../../web/harness.mjs';
import { printTable } from './common.mjs';

const STEP = 20_000;
const TARGET_BYTES = 250_000; // "< 250 KB", KB = 1000 bytes
const webRoot = path.join(path.resolve(repoRoot, process.env.STOA_WASM_BUILD ?? 'build/wasm'), 'web');
if (!existsSync(path.join(webRoot, 'stoa-core.wasm'))) throw new Error(`${webRoot}/stoa-core.wasm is missing: build the wasm preset`);

// Per URL request of the net-log: its URL, whether a response came from the network (response
// headers read by an HTTP transaction; cache hits have none), and the body bytes read before
// (URL_REQUEST_JOB_BYTES_READ) and after (..._FILTERED_...) content decoding.
function netLogRequests(file) {
  const log = JSON.parse(readFileSync(file, 'utf8'));
  const type = log.constants.logEventTypes;
  const urlRequest = log.constants.logSourceType.URL_REQUEST;
  const requests = new Map();
  for (const event of log.events) {
    if (event.source.type !== urlRequest) continue;
    if (!requests.has(event.source.id)) requests.set(event.source.id, { url: null, status: null, encoding: '', body: 0, decoded: 0 });
    const request = requests.get(event.source.id);
    const params = event.params ?? {};
    if (event.type === type.URL_REQUEST_START_JOB && params.url) request.url = params.url;
    else if (event.type === type.HTTP_TRANSACTION_READ_RESPONSE_HEADERS) {
      request.status = Number(params.headers[0].split(' ')[1]);
      const encoding = params.headers.find((h) => /^content-encoding:/i.test(h));
      request.encoding = encoding ? encoding.split(':')[1].trim() : '';
    } else if (event.type === type.URL_REQUEST_JOB_BYTES_READ) request.body += params.byte_count;
    else if (event.type === type.URL_REQUEST_JOB_FILTERED_BYTES_READ) request.decoded += params.byte_count;
  }
  return [...requests.values()];
}

const netLogDir = mkdtempSync(path.join(tmpdir(), 'stoa-netlog-'));
const netLog = path.join(netLogDir, 'netlog.json');
const server = await startServer({ webRoot });
const bot = startBot(['--tone', '523', '--print-room', '--title', 'Size room', '--name', 'Tone bot', '--duration', '120'], { server });
const playwrightSizes = new Map(); // url -> responseBodySize, as Playwright reports it
let browser;
try {
  browser = await launchBrowser({ args: [`--log-net-log=${netLog}`, '--net-log-capture-mode=Default'] });
  const created = await bot.event('room_created', STEP);
  const context = await browser.newContext();
  const pending = [];
  context.on('requestfinished', (request) => {
    // A URL requested again (the icon) is served from a cache the second time: keep the largest.
    pending.push(request.sizes().then((sizes) => playwrightSizes.set(request.url(), Math.max(sizes.responseBodySize, playwrightSizes.get(request.url()) ?? -Infinity))));
  });
  const page = await context.newPage();
  await page.goto(`${server.url}#room=${created.room}`);
  await page.waitForFunction(() => window.stoaApp?.state?.connection === 'open', null, { timeout: STEP });
  await page.getByLabel('Display name').fill('Size probe');
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await page.waitForFunction(() => window.stoaApp.state?.inRoom && window.stoaApp.state.keys, null, { timeout: STEP });
  await page.getByRole('button', { name: 'Listen', exact: true }).click();
  // Playing decrypted audio: the worker, the wasm and the playback worklet are all loaded.
  await page.waitForFunction(() => window.stoaApp.audioOutput !== null && window.stoaApp.state.stats.framesDecrypted > 0, null, {
    timeout: STEP,
  });
  await withTimeout(Promise.all(pending), STEP, 'Playwright\'s request sizes');
  await context.close();
} finally {
  await browser?.close(); // writes the end of the net-log
  await bot.stop();
  await server.stop();
}

const origin = new URL(server.url).origin;
const fromNetwork = netLogRequests(netLog).filter((r) => r.url?.startsWith(origin) && r.status !== null && r.status !== 101);
rmSync(netLogDir, { recursive: true, force: true });
if (!fromNetwork.some((r) => r.url.endsWith('/playback-worklet.js'))) throw new Error('the net-log has no playback-worklet.js: did Listen work?');

const rows = [];
let total = 0;
let decodedTotal = 0;
const mismatches = [];
for (const r of fromNetwork.sort((a, b) => b.body - a.body)) {
  const urlPath = new URL(r.url).pathname;
  const file = path.join(webRoot, urlPath === '/' ? 'index.html' : decodeURIComponent(urlPath));
  const gz = existsSync(`${file}.gz`) ? statSync(`${file}.gz`).size : null;
  const raw = existsSync(file) ? statSync(file).size : null;
  const expected = r.encoding === 'gzip' ? gz : raw;
  if (r.status !== 200 || expected !== r.body) mismatches.push(`${urlPath}: status ${r.status}, body ${r.body}, file ${expected}`);
  const seen = playwrightSizes.get(r.url.split('#')[0]);
  total += r.body;
  decodedTotal += r.decoded;
  rows.push([urlPath, r.status, r.encoding || '-', r.body, r.decoded, seen ?? 'not seen']);
}
rows.push(['total', '', '', total, decodedTotal, '']);
console.log(`transferred by the client: Chromium against stoa-server --web-root ${path.relative(repoRoot, webRoot)}, joined a tone bot's room and pressed Listen; responses from the network, per Chromium's net-log\n`);
printTable(['file', 'status', 'encoding', 'body bytes on the wire', 'decoded bytes', 'Playwright responseBodySize'], rows);
if (mismatches.length) console.log(`\nresponses differing from their file on disk: ${mismatches.join('; ')}`);
else console.log('\nevery body equals its file on disk (the .gz twin, as gzip was sent)');
const wasm = fromNetwork.find((r) => r.url.endsWith('/stoa-core.wasm'));
const capture = path.join(webRoot, 'capture-worklet.js.gz');
console.log(`total encoded body bytes: ${total} (${(total / 1000).toFixed(1)} KB), of which stoa-core.wasm ${wasm.body} (${((100 * wasm.body) / total).toFixed(1)}%), everything else ${total - wasm.body}`);
if (existsSync(capture)) console.log(`a speaker also loads capture-worklet.js when unmuting: +${statSync(capture).size} bytes (its .gz twin)`);
console.log(`target < ${TARGET_BYTES / 1000} KB: ${total < TARGET_BYTES ? 'met' : `NOT met (${(total / TARGET_BYTES).toFixed(2)}x the target; the wasm alone is ${(wasm.body / TARGET_BYTES).toFixed(2)}x)`}`);
