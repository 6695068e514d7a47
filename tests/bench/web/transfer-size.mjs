// The client's transferred size: Chromium opens the client served by a real stoa-server
// (--web-root build/wasm/web, which sends each file's brotli or gzip twin, as the browser takes
// them), joins a room a native tone bot created, and presses Listen (so the playback worklet loads
// too): that is the listener's figure, against the target. Then the same page raises a hand, is
// invited by the bot, accepts and unmutes: what it fetches from then on (the capture worklet, the
// Opus encoder module) is a speaker's extra, listed separately. Every HTTP response that came
// from the network (not from a cache) is listed with its encoded body size as Chromium's network
// service read it (its net-log: URL_REQUEST_JOB_BYTES_READ), which covers the page, the dedicated
// worker's script and its importScripts, the wasm and the worklet. Two cross-checks: Playwright's
// request.sizes().responseBodySize where Playwright sees the request (it does not see the
// worklet's, and reports 0 for the worker script), and the file's .gz twin on disk, which the
// body must equal when gzip (or brotli: the .br twin) was sent.
//
//   node tests/bench/web/transfer-size.mjs
// Environment: STOA_NATIVE_BUILD (stoa-server, stoa-bot; build/native), STOA_WASM_BUILD (build/wasm).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchBrowser, makeToneWav, repoRoot, startBot, startServer, withTimeout } from '../../web/harness.mjs';
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
    if (!requests.has(event.source.id)) requests.set(event.source.id, { url: null, status: null, encoding: '', body: 0, decoded: 0, startedMs: 0, acceptEncoding: '' });
    const request = requests.get(event.source.id);
    const params = event.params ?? {};
    if (event.type === type.URL_REQUEST_START_JOB && params.url) {
      request.url = params.url;
      request.startedMs = Number(event.time) + Number(log.constants.timeTickOffset); // wall clock, ms
    } else if (event.type === type.HTTP_TRANSACTION_SEND_REQUEST_HEADERS) {
      const header = (params.headers ?? []).find((h) => /^accept-encoding:/i.test(h));
      if (header) request.acceptEncoding = header.split(':').slice(1).join(':').trim();
    } else if (event.type === type.HTTP_TRANSACTION_READ_RESPONSE_HEADERS) {
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
const bot = startBot(['--tone', '523', '--invite-raised-hands', '--print-room', '--title', 'Size room', '--name', 'Tone bot', '--duration', '120'], { server });
const playwrightSizes = new Map(); // url -> responseBodySize, as Playwright reports it
let browser;
let speakerFromMs = 0; // wall clock when the listener's part ended and the speaker's began
try {
  const wav = await makeToneWav(path.join(netLogDir, 'tone-660.wav'), 660, 5);
  browser = await launchBrowser({ fakeAudioWav: wav, args: [`--log-net-log=${netLog}`, '--net-log-capture-mode=Default'] });
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

  // The speaker's part: on the stage and unmuted, until the first frame is sent.
  speakerFromMs = Date.now();
  await page.getByRole('button', { name: 'Raise hand', exact: true }).click();
  await page.getByRole('button', { name: 'Accept invitation', exact: true }).click({ timeout: STEP });
  await page.waitForFunction(() => window.stoaApp.state.role === 'speaker', null, { timeout: STEP });
  await page.getByRole('button', { name: 'Unmute microphone', exact: true }).click();
  await page.waitForFunction(() => window.stoaApp.state.stats.framesSent > 0, null, { timeout: STEP });
  await withTimeout(Promise.all(pending), STEP, 'Playwright\'s request sizes');
  await context.close();
} finally {
  await browser?.close(); // writes the end of the net-log
  await bot.stop();
  await server.stop();
}

const origin = new URL(server.url).origin;
const allFromNetwork = netLogRequests(netLog).filter((r) => r.url?.startsWith(origin) && r.status !== null && r.status !== 101);
rmSync(netLogDir, { recursive: true, force: true });
const fromNetwork = allFromNetwork.filter((r) => r.startedMs < speakerFromMs);
const speakerExtra = allFromNetwork.filter((r) => r.startedMs >= speakerFromMs);
if (!fromNetwork.some((r) => r.url.endsWith('/playback-worklet.js'))) throw new Error('the net-log has no playback-worklet.js: did Listen work?');

const twinOf = { gzip: '.gz', br: '.br' };
const mismatches = [];
// Rows per response, checked against the file (or the twin the encoding names) on disk.
function table(requests) {
  const rows = [];
  let total = 0;
  let decodedTotal = 0;
  for (const r of [...requests].sort((a, b) => b.body - a.body)) {
    const urlPath = new URL(r.url).pathname;
    const file = path.join(webRoot, urlPath === '/' ? 'index.html' : decodeURIComponent(urlPath));
    const onDisk = `${file}${twinOf[r.encoding] ?? ''}`;
    const expected = existsSync(onDisk) ? statSync(onDisk).size : null;
    // /config.json is the relay's own answer (its relay list), not the staged file.
    // A 304 (the service worker revalidating what the page already loaded) carries no body: the
    // net-log's bytes for it are read from the HTTP cache. A 200 whose body the net-log did not
    // see (the service worker's own fetches) is counted at its file's size on disk.
    let wire = r.body;
    if (r.status === 304) wire = 0;
    else if (r.status === 200 && r.body === 0 && expected) wire = expected;
    if (urlPath !== '/config.json' && r.status !== 304 && (r.status !== 200 || expected !== wire)) mismatches.push(`${urlPath}: status ${r.status}, body ${r.body}, file ${expected}`);
    const seen = playwrightSizes.get(r.url.split('#')[0]);
    r.body = wire;
    total += r.body;
    decodedTotal += r.decoded;
    rows.push([urlPath, r.status, r.encoding || '-', r.body, r.decoded, seen ?? 'not seen']);
  }
  rows.push(['total', '', '', total, decodedTotal, '']);
  return { rows, total };
}
const header = ['file', 'status', 'encoding', 'body bytes on the wire', 'decoded bytes', 'Playwright responseBodySize'];
const listener = table(fromNetwork);
const speaker = table(speakerExtra);
const wasmRequest = fromNetwork.find((r) => r.url.endsWith('/stoa-core.wasm'));
console.log(`Chromium's Accept-Encoding for the wasm on ${origin}: "${wasmRequest.acceptEncoding}"`);
console.log(`\ntransferred by a listener: Chromium against stoa-server --web-root ${path.relative(repoRoot, webRoot)}, joined a tone bot's room and pressed Listen; responses from the network, per Chromium's net-log\n`);
printTable(header, listener.rows);
console.log('\nand then by the same page as a speaker: hand raised, invited, accepted, unmuted, first frame sent\n');
printTable(header, speaker.rows);
if (mismatches.length) console.log(`\nresponses differing from their file on disk: ${mismatches.join('; ')}`);
else console.log('\nevery body equals its file on disk (the twin of the encoding sent)');
const wasm = wasmRequest.body;
const total = listener.total;
if (fromNetwork.some((r) => r.url.endsWith('/stoa-encoder.wasm'))) console.log('the listener fetched stoa-encoder.wasm: the encoder is not deferred');
console.log(`listener: total encoded body bytes: ${total} (${(total / 1000).toFixed(1)} KB), of which stoa-core.wasm ${wasm} (${((100 * wasm) / total).toFixed(1)}%), everything else ${total - wasm}`);
console.log(`speaker: a further ${speaker.total} bytes (${(speaker.total / 1000).toFixed(1)} KB) on unmuting, ${(total + speaker.total) / 1000} KB in all`);
console.log(`target < ${TARGET_BYTES / 1000} KB for a listener: ${total < TARGET_BYTES ? 'met' : `NOT met (${(total / TARGET_BYTES).toFixed(2)}x the target; the wasm alone is ${(wasm / TARGET_BYTES).toFixed(2)}x)`}`);
