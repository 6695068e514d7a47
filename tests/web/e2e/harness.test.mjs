// The harness proves itself without the browser client: a relay on a free port that answers
// /healthz and drains on SIGTERM, Debian's Chromium loading its page, stoa-bot lines awaited with
// deadlines, a fake microphone playing a sox-made tone that measureTone reads at its frequency
// and level (and a silent node that it reads as silence), console errors collected, screenshots.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  artifactsDir,
  collectConsoleErrors,
  launchBrowser,
  makeToneWav,
  measureTone,
  screenshot,
  startBot,
  startServer,
} from '../harness.mjs';

describe('harness: stoa-server', () => {
  test('starts on a free loopback port, answers /healthz and the page, and drains on SIGTERM', { timeout: 30_000 }, async () => {
    const server = await startServer();
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      assert.notEqual(server.port, 0);
      assert.equal(server.context, `http://127.0.0.1:${server.port}`); // what a browser on this page signs
      const health = await fetch(new URL('healthz', server.url));
      assert.equal(health.status, 200);
      const page = await fetch(server.url);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      const metrics = await (await fetch(new URL('metrics', server.url))).text();
      assert.match(metrics, /^stoa_/m);
    } finally {
      const { code, signal } = await server.stop();
      assert.deepEqual({ code, signal }, { code: 0, signal: null });
    }
  });

  test('two servers get two different ports', { timeout: 30_000 }, async () => {
    const [a, b] = await Promise.all([startServer(), startServer()]);
    try {
      assert.notEqual(a.port, b.port);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('harness: stoa-bot', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  test('a listening bot reports what a tone bot says; waitFor is bounded', { timeout: 60_000 }, async () => {
    const speaker = startBot(['--tone', '587', '--print-room', '--duration', '60'], { server });
    let listener;
    try {
      const created = await speaker.event('room_created', 10_000);
      assert.match(created.room, /^[0-9a-f]{32}$/);
      listener = startBot(['--join', created.room, '--listen', '--duration', '60'], { server });
      const joined = await listener.event('joined', 10_000);
      assert.equal(joined.role, 'listener');
      const heard = await listener.waitFor((line) => line.frames_decrypted > 0, 20_000);
      const steady = await listener.waitFor(
        (line) => line.frames_decrypted >= heard.frames_decrypted + 50,
        10_000,
        { from: listener.lines.indexOf(heard) },
      );
      const report = await listener.waitFor((line) => 'frames_decrypted' in line, 5_000, {
        from: listener.lines.indexOf(steady) + 1,
      });
      assert.ok(Math.abs(report.frequency_hz - 587) <= 5, `heard ${report.frequency_hz} Hz`);
      assert.ok(report.level_dbfs > -40, `level ${report.level_dbfs} dBFS`);

      await assert.rejects(listener.waitFor((line) => line.event === 'never', 300), /timed out after 300 ms/);
    } finally {
      const statuses = await Promise.all([speaker.stop(), listener?.stop()]);
      for (const status of statuses.filter(Boolean)) assert.deepEqual(status, { code: 0, signal: null });
    }
  });

  test('the relay checks the auth context that startBot passes', { timeout: 20_000 }, async () => {
    const bot = startBot(['--print-room', '--context', 'another relay', '--duration', '15'], { server });
    try {
      const error = await bot.event('error', 10_000);
      assert.ok(!bot.lines.some((line) => line.event === 'room_created'), JSON.stringify(bot.lines));
      assert.ok(error.code > 0, JSON.stringify(error));
    } finally {
      await bot.stop();
    }
  });

  test('waitFor fails at once when the bot exits first', { timeout: 20_000 }, async () => {
    const bot = startBot(['--join', 'ab'.repeat(16), '--duration', '30'], { server });
    const started = Date.now();
    await assert.rejects(bot.event('joined', 15_000), /exited/);
    assert.ok(Date.now() - started < 10_000);
    assert.equal((await bot.exited).code, 1);
    assert.equal(bot.lines.find((line) => line.event === 'error')?.name, 'room_not_found');
  });
});

describe('harness: Chromium', () => {
  // A web root of our own, so these tests do not depend on the client's state.
  const webRoot = mkdtempSync(path.join(tmpdir(), 'stoa-harness-'));
  writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>harness</title><link rel="icon" href="data:,"><h1>harness page</h1>\n');
  let server;
  let wav;
  before(async () => {
    server = await startServer({ webRoot });
    wav = await makeToneWav(path.join(artifactsDir, 'harness-tone-440.wav'), 440, 4);
  });
  after(async () => {
    await server?.stop();
    rmSync(webRoot, { recursive: true, force: true });
  });

  test('makeToneWav writes 48 kHz mono 16-bit PCM', () => {
    const bytes = readFileSync(wav);
    assert.equal(bytes.toString('ascii', 0, 4), 'RIFF');
    assert.equal(bytes.toString('ascii', 8, 12), 'WAVE');
    assert.equal(bytes.readUInt16LE(20), 1); // PCM
    assert.equal(bytes.readUInt16LE(22), 1); // mono
    assert.equal(bytes.readUInt32LE(24), 48_000);
    assert.equal(bytes.readUInt16LE(34), 16);
    assert.ok(bytes.length > 4 * 48_000 * 2, 'four seconds of samples');
  });

  test('loads the page the server serves from webRoot, collects console errors and saves a screenshot', { timeout: 60_000 }, async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const errors = collectConsoleErrors(page);
      const response = await page.goto(server.url);
      assert.equal(response.status(), 200);
      assert.equal(await page.textContent('h1'), 'harness page');
      const file = await screenshot(page, 'harness-server-page');
      assert.ok(existsSync(file) && statSync(file).size > 1000);
      assert.equal(readFileSync(file).subarray(1, 4).toString('ascii'), 'PNG');

      // Awaited as events: collectConsoleErrors listened first, so the array holds both by then.
      const logged = page.waitForEvent('console', { predicate: (m) => m.type() === 'error', timeout: 5_000 });
      const thrown = page.waitForEvent('pageerror', { timeout: 5_000 });
      await page.evaluate(() => {
        console.error('harness: a console error');
        setTimeout(() => {
          throw new Error('harness: an uncaught error');
        }, 0);
      });
      await Promise.all([logged, thrown]);
      assert.ok(errors.some((e) => e.includes('harness: a console error')), errors.join('\n'));
      assert.ok(errors.some((e) => e.includes('harness: an uncaught error')), errors.join('\n'));
    } finally {
      await browser.close();
    }
  });

  test('a fake microphone plays the WAV; measureTone reads its frequency and level, and silence as silence', { timeout: 60_000 }, async () => {
    const browser = await launchBrowser({ fakeAudioWav: wav });
    try {
      const page = await browser.newPage();
      const errors = collectConsoleErrors(page);
      await page.goto(server.url); // http://127.0.0.1 is a secure context: getUserMedia is allowed
      // The page's shape that measureTone expects of the client (docs/web-client.md): an
      // AudioContext and the last node before its destination.
      const state = await page.evaluate(async () => {
        const audioContext = new AudioContext({ sampleRate: 48_000 });
        const stream = await navigator.mediaDevices.getUserMedia({
          audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
        });
        const microphone = audioContext.createMediaStreamSource(stream);
        const audioOutput = audioContext.createGain();
        microphone.connect(audioOutput).connect(audioContext.destination);
        const silent = audioContext.createGain();
        silent.gain.value = 0;
        microphone.connect(silent).connect(audioContext.destination);
        await audioContext.resume();
        window.harnessMic = { audioContext, audioOutput };
        window.harnessSilence = { audioContext, audioOutput: silent };
        return audioContext.state;
      });
      assert.equal(state, 'running');
      const tone = await measureTone(page, 1_500, { app: 'harnessMic' });
      assert.equal(tone.contextState, 'running');
      assert.ok(Math.abs(tone.frequencyHz - 440) <= 5, `measured ${tone.frequencyHz} Hz`);
      // sox made it at 0.3 of full scale: -13.5 dBFS.
      assert.ok(tone.levelDbfs > -20 && tone.levelDbfs < -8, `measured ${tone.levelDbfs} dBFS`);
      const silence = await measureTone(page, 500, { app: 'harnessSilence' });
      assert.ok(silence.levelDbfs < -80, `silence measured ${silence.levelDbfs} dBFS`);
      await screenshot(page, 'harness-fake-microphone');
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });

  test('measureTone says what is missing when the page has no stoaApp', { timeout: 30_000 }, async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto('data:text/html,<title>empty</title>');
      await assert.rejects(measureTone(page, 100), /window\.stoaApp\.audioContext/);
    } finally {
      await browser.close();
    }
  });
});
