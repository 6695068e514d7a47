// The speaker's encoder module (stoa-encoder.wasm) is loaded only when the microphone starts. When
// it cannot be loaded, the page says so (encoder_unavailable), sends nothing, stays in the room and
// keeps listening; the next unmute tries again. The relay serves a copy of the staged client whose
// encoder is missing at first (a 404), then put back.
import assert from 'node:assert/strict';
import { copyFile, cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  artifactsDir, clientBuilt, collectConsoleErrors, launchBrowser, makeToneWav, startBot, startServer,
  steadyReport, wasmWebRoot,
} from '../harness.mjs';

const skip = clientBuilt ? false : 'the client is not built (build/wasm/web/stoa-core.wasm is missing)';
const STEP = 20_000;
const ENCODER = 'stoa-encoder.wasm';

describe('encoder unavailable', { skip }, () => {
  let webRoot;
  let server;
  let browser;
  let witness;
  before(async () => {
    webRoot = await mkdtemp(path.join(os.tmpdir(), 'stoa-web-'));
    await cp(wasmWebRoot, webRoot, { recursive: true });
    for (const twin of ['', '.br', '.gz']) await rm(path.join(webRoot, ENCODER + twin), { force: true });
    server = await startServer({ webRoot });
  });
  after(async () => {
    await witness?.stop().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop();
    if (webRoot) await rm(webRoot, { recursive: true, force: true });
  });

  test('is reported, sends nothing, keeps the member in the room, and the next unmute loads it', { timeout: 120_000 }, async () => {
    const wav = await makeToneWav(path.join(artifactsDir, 'encoder-unavailable-440.wav'), 440, 10);
    browser = await launchBrowser({ fakeAudioWav: wav });
    const page = await browser.newPage();
    const errors = collectConsoleErrors(page);
    await page.goto(server.url);
    await page.waitForFunction(() => window.stoaApp?.state?.connection === 'open', null, { timeout: STEP });
    await page.getByLabel('Room title').fill('No encoder yet');
    await page.getByRole('button', { name: 'Create room', exact: true }).click();
    await page.waitForFunction(() => window.stoaApp.state?.inRoom && window.stoaApp.state.keys, null, { timeout: STEP });
    const created = (await page.evaluate(() => window.stoaApp.events)).find((event) => event.type === 'room_created');
    assert.ok(created, 'a room_created event');

    witness = startBot(['--join', created.room, ...(created.invite ? ['--invite', created.invite] : []), '--listen',
      '--name', 'Witness', '--duration', '180'], { server });
    await witness.event('joined', STEP);

    await page.getByRole('button', { name: 'Unmute microphone', exact: true }).click();
    await page.waitForFunction(
      () => window.stoaApp.events.some((event) => event.type === 'error' && event.name === 'encoder_unavailable'),
      null, { timeout: STEP });
    assert.match(await page.getByTestId('error').textContent(), /encoder could not be loaded, so you were muted/);
    // The member is muted again (the room sees it; the page does not claim to be live), the
    // microphone is closed, nothing was sent, and the member is still in the room.
    await page.getByRole('button', { name: 'Unmute microphone', exact: true }).waitFor({ timeout: STEP });
    const stuck = await page.evaluate(() => ({ ...window.stoaApp.state, microphoneOpen: Boolean(window.stoaApp.audio.stream) }));
    assert.equal(stuck.me.selfMuted, true);
    assert.equal(stuck.microphoneOpen, false, 'the microphone is closed');
    assert.equal(stuck.stats.framesSent, 0, 'nothing is sent without an encoder');
    assert.equal(stuck.inRoom, true);
    assert.equal(stuck.connection, 'open');

    // The file is back: the next unmute loads the encoder, and the witness hears the microphone.
    await copyFile(path.join(wasmWebRoot, ENCODER), path.join(webRoot, ENCODER));
    await page.getByRole('button', { name: 'Unmute microphone', exact: true }).click();
    await page.waitForFunction(() => window.stoaApp.state.stats.framesSent > 0, null, { timeout: STEP });
    const report = await steadyReport(witness);
    assert.ok(Math.abs(report.frequency_hz - 440) <= 5, JSON.stringify(report));
    assert.ok(report.level_dbfs > -40, JSON.stringify(report));
    assert.equal(report.decrypt_failures, 0);
    // The only console error is the browser's own line for the missing file.
    assert.ok(errors.every((line) => /404|stoa-encoder/.test(line)), errors.join('\n'));
  });
});
