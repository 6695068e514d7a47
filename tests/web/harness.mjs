// The browser tests' harness: a stoa-server on a free loopback port, Debian's Chromium driven by
// playwright-core (never a downloaded browser), stoa-bot as a native peer whose JSON lines can be
// awaited, fake-microphone WAV files, and an in-page tone meter on the client's audio output.
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The native build the tests drive; STOA_NATIVE_BUILD points elsewhere (e.g. a private build dir).
export const nativeBuild = path.resolve(repoRoot, process.env.STOA_NATIVE_BUILD ?? 'build/native');
export const serverBinary = path.join(nativeBuild, 'server', 'stoa-server');
export const botBinary = path.join(nativeBuild, 'server', 'bot', 'stoa-bot');
// The staged client (the wasm preset's build/wasm/web; STOA_WEB_DIR points at another build).
export const wasmWebRoot = process.env.STOA_WEB_DIR
  ? path.resolve(repoRoot, process.env.STOA_WEB_DIR)
  : path.join(repoRoot, 'build', 'wasm', 'web');
export const artifactsDir = path.join(repoRoot, 'build', 'test-artifacts', 'web');
export const chromiumPath = '/usr/bin/chromium';
export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // A page's timers and audio keep their pace on a loaded machine, whether or not Chromium deems
  // the page visible.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

// The wasm build staged a complete client: the e2e tests of the client can run.
export const clientBuilt = existsSync(path.join(wasmWebRoot, 'stoa-core.wasm'));

const run = promisify(execFile);

// Resolves with `promise`'s value, or rejects after `ms` with `what` in the message.
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Sends SIGTERM, then SIGKILL if the process has not exited within `graceMs`; resolves with
// {code, signal}.
async function terminate(child, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return { code: child.exitCode, signal: child.signalCode };
  }
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  try {
    await withTimeout(exited, graceMs, `pid ${child.pid} to exit after SIGTERM`);
  } catch {
    child.kill('SIGKILL');
    await exited;
  }
  return { code: child.exitCode, signal: child.signalCode };
}

// Children still running when the test process ends are killed, so no relay or bot outlives a
// failed test.
const children = new Set();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

// A port that was free on 127.0.0.1 a moment ago (bound to :0, then released).
export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

// Starts stoa-server on 127.0.0.1 on a free port, waits until /healthz answers, and returns
// {url, origin, wsUrl, port, context, log, stop()}. stop() drains it with SIGTERM and resolves
// with its exit status.
//
// The relay's auth context must be what its clients sign: the browser signs its page's origin
// (docs/protocol.md, "The signed transcript"), so by default the context is this server's origin,
// which is why the port is chosen before the start (not --port 0) and written into a --config
// file. startBot({server}) passes the same context to the bot. `port` restarts a relay on the port
// of one that was stopped (or killed: kill() is SIGKILL), so its clients find it again.
export async function startServer({ webRoot, args = [], timeoutMs = 10_000, authContext, port } = {}) {
  if (!existsSync(serverBinary)) throw new Error(`${serverBinary} is missing: build the native preset first`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce({ webRoot, args, timeoutMs, authContext, port: port ?? await freePort() });
    } catch (error) {
      // Someone took the port between freePort() and the bind: take another.
      if (attempt >= 3 || !error.portTaken || port !== undefined) throw error;
    }
  }
}

async function startServerOnce({ webRoot, args, timeoutMs, authContext, port }) {
  const origin = `http://127.0.0.1:${port}`;
  const context = authContext ?? origin;
  const configDir = mkdtempSync(path.join(tmpdir(), 'stoa-server-'));
  const configFile = path.join(configDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ auth_context: context }));
  const argv = ['--listen', '127.0.0.1', '--port', String(port), '--threads', '1', '--config', configFile];
  if (webRoot) argv.push('--web-root', webRoot);
  argv.push(...args);
  const child = track(spawn(serverBinary, argv, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const cleanUp = () => rmSync(configDir, { recursive: true, force: true });
  child.on('exit', cleanUp);
  const log = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => log.push(text));
  const lines = createInterface({ input: child.stdout });
  const listening = new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      log.push(line + '\n');
      if (/listening on /.test(line)) resolve();
    });
    child.on('exit', (code, signal) => {
      const error = new Error(`stoa-server exited (${code ?? signal}) before listening:\n${log.join('')}`);
      error.portTaken = /in use/i.test(log.join(''));
      reject(error);
    });
  });
  try {
    await withTimeout(listening, timeoutMs, 'stoa-server to listen');
  } catch (error) {
    await terminate(child, 2_000);
    throw error;
  }
  const url = `${origin}/`;
  // Readiness by polling /healthz, bounded.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const reply = await fetch(new URL('healthz', url), { signal: AbortSignal.timeout(1_000) });
      if (reply.ok) break;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) {
      await terminate(child, 2_000);
      throw new Error(`stoa-server on port ${port} never answered /healthz:\n${log.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    origin,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    context,
    log,
    process: child,
    // The drain lasts 5 s at most (docs/protocol.md, section 7).
    stop: () => terminate(child, 8_000),
    // A crash: SIGKILL, no drain, no relay_shutdown; resolves once the process is gone.
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
      return { code: child.exitCode, signal: child.signalCode };
    },
  };
}

// Debian's Chromium through playwright-core. With `fakeAudioWav`, getUserMedia is granted without
// a prompt and the microphone plays that WAV file in a loop.
export async function launchBrowser({ fakeAudioWav, args = [] } = {}) {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install chromium`);
  const flags = [...chromiumFlags, '--autoplay-policy=no-user-gesture-required'];
  if (fakeAudioWav) {
    flags.push(
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${fakeAudioWav}`,
    );
  }
  flags.push(...args);
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: flags, timeout: 30_000 });
}

// stoa-bot as a native peer of `server` (a startServer() result: its port and auth context are
// passed unless args name them). Its stdout is JSON lines (--json is added when missing); every
// line is kept in `lines`, and waitFor(predicate, timeoutMs, {from}) resolves with the first line
// at index `from` or later (0 by default) that satisfies the predicate, or rejects on timeout or
// when the bot exits first. stop() sends SIGTERM and resolves with {code, signal}.
export function startBot(args, { server } = {}) {
  if (!existsSync(botBinary)) throw new Error(`${botBinary} is missing: build the native preset first`);
  const argv = [...args];
  if (!argv.includes('--json')) argv.push('--json');
  if (server && !argv.includes('--port')) argv.push('--port', String(server.port));
  if (server && !argv.includes('--context')) argv.push('--context', server.context);
  const child = track(spawn(botBinary, argv, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const lines = [];
  const stderr = [];
  const waiters = new Set();
  let exitStatus = null;

  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => stderr.push(text));
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolve(exitStatus);
    });
  });
  // 'close' comes after every stdout line has been read: only then are waiters failed.
  child.on('close', () => {
    for (const waiter of waiters) waiter.fail(new Error(`stoa-bot exited (${JSON.stringify(exitStatus)}) first`));
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line;
    try {
      line = JSON.parse(text);
    } catch {
      stderr.push(`(stdout) ${text}\n`);
      return;
    }
    lines.push(line);
    for (const waiter of waiters) waiter.check(line);
  });

  function waitFor(predicate, timeoutMs = 10_000, { from = 0 } = {}) {
    const earlier = lines.slice(from).find(predicate);
    if (earlier) return Promise.resolve(earlier);
    let waiter;
    const found = new Promise((resolve, reject) => {
      waiter = {
        check: (line) => predicate(line) && resolve(line),
        fail: reject,
      };
      waiters.add(waiter);
      if (child.exitCode !== null || child.signalCode !== null) {
        if (!child.stdout.readableEnded) return;
        reject(new Error(`stoa-bot exited (${JSON.stringify(exitStatus)}) first`));
      }
    });
    return withTimeout(found, timeoutMs, `a stoa-bot line matching ${predicate}`)
      .catch((error) => {
        error.message += `\nbot ${argv.join(' ')}\nlast lines: ${lines.slice(-5).map((l) => JSON.stringify(l)).join('\n')}\nstderr: ${stderr.join('').slice(-2000)}`;
        throw error;
      })
      .finally(() => waiters.delete(waiter));
  }

  return {
    process: child,
    lines,
    stderr,
    exited,
    waitFor,
    event: (name, timeoutMs, options) => waitFor((line) => line.event === name, timeoutMs, options),
    stop: () => terminate(child, 5_000),
  };
}

// A 48 kHz mono 16-bit WAV of a sine at 0.3 of full scale (sox).
export async function makeToneWav(file, hz, seconds) {
  mkdirSync(path.dirname(file), { recursive: true });
  await run('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', '-e', 'signed-integer', file,
    'synth', String(seconds), 'sine', String(hz), 'vol', '0.3']);
  return file;
}

// Console errors and uncaught page errors, collected from now on into the returned array.
export function collectConsoleErrors(page) {
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

export async function screenshot(page, name) {
  mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// What the page plays, measured in the page: an AnalyserNode (fftSize 8192) on
// window[app].audioOutput (window.stoaApp by default, see docs/web-client.md) for `ms`
// milliseconds of played audio. Resolves with {frequencyHz, levelDbfs, contextState, sampleRate,
// snapshots, audioSeconds}:
// the strongest frequency of the averaged power spectrum (interpolated between bins) and the RMS
// level of the output in dBFS (a full-scale sine reads -3 dB, as in core/audio's level meter).
// Below this level (dBFS) a page plays nothing.
export const SILENCE_DBFS = -60;

// A listening bot's first report whose one-second window is all received audio: the report after
// the one that shows 50 more frames decrypted than the first report that heard anything.
export async function steadyReport(bot, stepMs = 20_000) {
  const isReport = (line) => 'frames_decrypted' in line;
  const heard = await bot.waitFor((line) => isReport(line) && line.frames_decrypted > 0, stepMs);
  const full = await bot.waitFor((line) => isReport(line) && line.frames_decrypted >= heard.frames_decrypted + 50, stepMs, {
    from: bot.lines.indexOf(heard),
  });
  return bot.waitFor(isReport, stepMs, { from: bot.lines.indexOf(full) + 1 });
}

// A page's measured tone (measureTone) is `hz` within the tolerance and above silence.
export function assertTone(measured, hz, toleranceHz, what) {
  assert.ok(Math.abs(measured.frequencyHz - hz) <= toleranceHz, `${what}: ${JSON.stringify(measured)}`);
  assert.ok(measured.levelDbfs > SILENCE_DBFS, `${what} above silence: ${JSON.stringify(measured)}`);
}

export async function measureTone(page, ms, { app = 'stoaApp' } = {}) {
  return page.evaluate(
    async ({ ms, app }) => {
      const target = window[app];
      if (!target || !target.audioContext || !target.audioOutput) {
        throw new Error(`window.${app}.audioContext / audioOutput are not there`);
      }
      const context = target.audioContext;
      const analyser = context.createAnalyser();
      analyser.fftSize = 8192;
      analyser.smoothingTimeConstant = 0;
      analyser.minDecibels = -160;
      analyser.maxDecibels = 0;
      target.audioOutput.connect(analyser);
      const bins = analyser.frequencyBinCount;
      const power = new Float64Array(bins);
      const spectrum = new Float32Array(bins);
      const wave = new Float32Array(analyser.fftSize);
      let squares = 0;
      let samples = 0;
      let snapshots = 0;
      const take = () => {
        analyser.getFloatFrequencyData(spectrum);
        for (let i = 0; i < bins; i++) power[i] += Number.isFinite(spectrum[i]) ? 10 ** (spectrum[i] / 10) : 0;
        analyser.getFloatTimeDomainData(wave);
        for (const sample of wave) squares += sample * sample;
        samples += wave.length;
        snapshots += 1;
      };
      // An analyser window is 8192 samples (about 170 ms at 48 kHz): a snapshot every 100 ms sees
      // all of the output. The measurement ends on the audio clock, not the wall clock: a page
      // whose timers are starved on a loaded machine still takes all of its snapshots (a late
      // snapshot overlaps the previous one, which only averages the same audio twice). The wall
      // deadline is there so a stopped context cannot hang the test; the caller sees the count.
      const wanted = Math.max(1, Math.ceil(ms / 100));
      const started = context.currentTime;
      const deadline = performance.now() + ms + 30_000;
      while ((snapshots < wanted || context.currentTime - started < ms / 1000) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        take();
      }
      target.audioOutput.disconnect(analyser);
      const rms = Math.sqrt(squares / Math.max(samples, 1));
      const levelDbfs = rms > 0 ? 20 * Math.log10(rms) : -Infinity;
      let best = 1;
      for (let i = 2; i < bins - 1; i++) if (power[i] > power[best]) best = i;
      // Parabolic interpolation on the log power of the peak and its neighbours.
      const [a, b, c] = [power[best - 1], power[best], power[best + 1]].map((p) => Math.log(p + 1e-30));
      const denominator = a - 2 * b + c;
      const offset = denominator !== 0 ? (0.5 * (a - c)) / denominator : 0;
      const binHz = context.sampleRate / analyser.fftSize;
      const frequencyHz = power[best] > 0 && rms > 0 ? (best + offset) * binHz : 0;
      const audioSeconds = context.currentTime - started;
      return { frequencyHz, levelDbfs, contextState: context.state, sampleRate: context.sampleRate, snapshots, audioSeconds };
    },
    { ms, app },
  );
}

// A member identity made by the built core under Node: {id, publicKey, seed}, the id derived from
// the key as the relay and every client check it (BLAKE2b-256, which Node's crypto lacks). With
// `seed` (Uint8Array(32)) the identity is that seed's. Needs the staged client (clientBuilt).
export async function makeIdentity(seed = null) {
  const require = createRequire(import.meta.url);
  const createStoaCore = require(path.join(wasmWebRoot, 'stoa-core.js'));
  const { StoaSession } = require(path.join(wasmWebRoot, 'stoa-session.js'));
  // The bytes are handed over: the loader's own fetch() cannot take a file path under Node 20.
  const core = await createStoaCore({ wasmBinary: readFileSync(path.join(wasmWebRoot, 'stoa-core.wasm')) });
  const session = new StoaSession(core, { seed, decodeAudio: false });
  try {
    return { id: session.id, publicKey: session.publicKey, seed: session.seed() };
  } finally {
    session.destroy();
  }
}
