// The browser client end to end (a draft for the lead, against docs/web-client.md's hooks): the
// page in Debian's Chromium, driven by accessible names, against a live stoa-server serving
// build/wasm/web, with stoa-bot as the native peer. Skipped until the wasm build has staged the
// client.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  SILENCE_DBFS,
  artifactsDir,
  assertTone,
  clientBuilt,
  collectConsoleErrors,
  launchBrowser,
  makeToneWav,
  measureTone,
  screenshot,
  startBot,
  startServer,
  steadyReport,
  wasmWebRoot,
} from '../harness.mjs';

const skip = clientBuilt ? false : 'the client is not built (build/wasm/web/stoa-core.wasm is missing)';
const TEST_TIMEOUT = 120_000;
const STEP = 20_000; // the bound on any one awaited step
const BOT_LIFETIME = ['--duration', '180']; // a bot outlives no crashed test by much

// ---- page helpers (the user's way in: accessible names; the rest through window.stoaApp) ----

// Opens the client (at `hash`, e.g. "#room=…") and waits until its worker has connected.
// `requested` collects the path of every request the page and its worker make.
async function openClient(browser, server, { name, hash = '' } = {}) {
  const page = await browser.newPage();
  const errors = collectConsoleErrors(page);
  const requested = [];
  page.on('request', (request) => requested.push(new URL(request.url()).pathname));
  await page.goto(server.url + hash);
  await page.waitForFunction(() => window.stoaApp?.state?.connection === 'open', null, { timeout: STEP });
  if (name) await page.getByLabel('Display name').fill(name);
  return { page, errors, requested };
}

const appState = (page) => page.evaluate(() => window.stoaApp.state);
const appEvents = (page) => page.evaluate(() => window.stoaApp.events);

function waitForState(page, predicate, arg) {
  return page.waitForFunction(predicate, arg, { timeout: STEP });
}

// Until the page has the room's keys, it cannot hear anyone.
async function waitInRoomWithKeys(page) {
  await waitForState(page, () => window.stoaApp.state?.inRoom && window.stoaApp.state.keys);
  return appState(page);
}

async function joinByLink(browser, server, { room, invite = null, name }) {
  const hash = invite ? `#room=${room}&invite=${invite}` : `#room=${room}`;
  const client = await openClient(browser, server, { name, hash });
  await client.page.getByRole('button', { name: 'Join', exact: true }).click();
  await waitInRoomWithKeys(client.page);
  return client;
}

// Creates an open room from the start screen; resolves with its {room, invite} from the events.
async function createRoom(page, title) {
  await page.getByLabel('Room title').fill(title);
  await page.getByRole('button', { name: 'Create room', exact: true }).click();
  await waitInRoomWithKeys(page);
  const created = (await appEvents(page)).find((event) => event.type === 'room_created');
  assert.ok(created, 'a room_created event');
  return created;
}

// Unlocks audio (the autoplay policy wants a tap) and waits for the output node and for decrypted
// frames.
async function listen(page) {
  await page.getByRole('button', { name: 'Listen', exact: true }).click();
  await waitForState(page, () => window.stoaApp.audioOutput !== null && window.stoaApp.state.stats.framesDecrypted > 0);
}

// The microphone opens; frames flow only once someone else is in the room (a host alone sends
// nothing), so callers wait for framesSent themselves.
async function unmute(page) {
  await page.getByRole('button', { name: 'Unmute microphone', exact: true }).click();
  await waitForState(page, () => window.stoaApp.state.me && window.stoaApp.state.me.selfMuted === false);
}

const waitForFramesSent = (page) => waitForState(page, () => window.stoaApp.state.stats.framesSent > 0);

describe('client', { skip }, () => {
  let server;
  const cleanups = [];
  before(async () => {
    server = await startServer({ webRoot: wasmWebRoot });
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await server?.stop();
  });
  // Registers something to stop at the end of the suite (also when a test fails half-way).
  const keep = (thing, stop) => {
    cleanups.push(stop);
    return thing;
  };
  const bot = (args) => {
    const started = startBot([...args, ...BOT_LIFETIME], { server });
    return keep(started, () => started.stop());
  };
  const browser = async (options) => {
    const launched = await launchBrowser(options);
    return keep(launched, () => launched.close());
  };

  test('(1) the page loads without console errors and joins a room a bot made', { timeout: TEST_TIMEOUT }, async () => {
    const host = bot(['--tone', '523', '--print-room', '--title', 'Bot room', '--name', 'Tone bot']);
    const created = await host.event('room_created', STEP);
    const { page, errors } = await joinByLink(await browser(), server, { room: created.room, name: 'Browser' });

    const state = await appState(page);
    assert.equal(state.room, created.room);
    assert.equal(state.role, 'listener');
    assert.equal(typeof state.epoch, 'number');
    assert.equal(await page.getByTestId('keys').textContent(), 'ready');
    // The bot's display name is readable once keys arrived (it travels encrypted).
    await page.getByTestId('stage-member').filter({ hasText: 'Tone bot' }).waitFor({ timeout: STEP });
    assert.equal(await page.getByTestId('stage-member').count(), 1);
    await screenshot(page, 'client-1-joined');
    assert.deepEqual(errors, []);
  });

  test('(2) a browser listener hears a native tone bot', { timeout: TEST_TIMEOUT }, async () => {
    const host = bot(['--tone', '523', '--print-room', '--title', 'Tone room', '--name', 'Tone bot']);
    const created = await host.event('room_created', STEP);
    const { page, errors, requested } = await joinByLink(await browser(), server, { room: created.room, name: 'Ear' });
    await listen(page);
    const measured = await measureTone(page, 2_000);
    assert.equal(measured.contextState, 'running');
    assertTone(measured, 523, 10, 'the page plays the bot');
    const { stats } = await appState(page);
    assert.equal(stats.decryptFailures, 0);
    // A listener never downloads the encoder module (the worker's own fetch of the core is seen, and
    // test 3 sees the encoder's, so its absence here is not an artefact of what is observed; worklet
    // modules are not reported by Playwright, so the capture worklet is not checked this way).
    assert.ok(requested.includes('/stoa-core.wasm'), requested.join(' '));
    assert.ok(!requested.includes('/stoa-encoder.wasm'), `a listener fetched the encoder: ${requested.join(' ')}`);
    await screenshot(page, 'client-2-listening');
    assert.deepEqual(errors, []);
  });

  test('(3) a native listener hears a browser host speaking into the fake microphone', { timeout: TEST_TIMEOUT }, async () => {
    const wav = await makeToneWav(path.join(artifactsDir, 'client-tone-440.wav'), 440, 10);
    const { page, errors, requested } = await openClient(await browser({ fakeAudioWav: wav }), server, { name: 'Host' });
    const created = await createRoom(page, 'Browser room');
    assert.equal((await appState(page)).role, 'host');

    const listener = bot(['--join', created.room, ...(created.invite ? ['--invite', created.invite] : []), '--listen', '--name', 'Native ear']);
    assert.equal((await listener.event('joined', STEP)).role, 'listener');
    await unmute(page); // the host is on stage already
    await waitForFramesSent(page);
    const report = await steadyReport(listener);
    assert.ok(Math.abs(report.frequency_hz - 440) <= 5, JSON.stringify(report));
    assert.ok(report.level_dbfs > -40, JSON.stringify(report));
    assert.equal(report.decrypt_failures, 0);
    assert.equal(report.forged_frames, 0);
    // Speaking is what loads the encoder module.
    assert.ok(requested.includes('/stoa-encoder.wasm'), requested.join(' '));
    await screenshot(page, 'client-3-speaking');
    assert.deepEqual(errors, []);
  });

  test('(4) two browsers talk through the relay', { timeout: TEST_TIMEOUT }, async () => {
    const wav = await makeToneWav(path.join(artifactsDir, 'client-tone-660.wav'), 660, 10);
    const speaker = await openClient(await browser({ fakeAudioWav: wav }), server, { name: 'Speaker' });
    const created = await createRoom(speaker.page, 'Two browsers');
    await unmute(speaker.page);

    const listener = await joinByLink(await browser(), server, { room: created.room, invite: created.invite, name: 'Listener' });
    await waitForFramesSent(speaker.page);
    await listen(listener.page);
    assertTone(await measureTone(listener.page, 2_000), 660, 10, 'the listener plays the speaker');
    await screenshot(speaker.page, 'client-4-speaker');
    await screenshot(listener.page, 'client-4-listener');
    assert.deepEqual(speaker.errors, []);
    assert.deepEqual(listener.errors, []);
  });

  test('(5) a kicked browser listener is cut off while the host keeps speaking to the others', { timeout: TEST_TIMEOUT }, async () => {
    const wav = await makeToneWav(path.join(artifactsDir, 'client-tone-440.wav'), 440, 10);
    const host = await openClient(await browser({ fakeAudioWav: wav }), server, { name: 'Host' });
    const created = await createRoom(host.page, 'Kick room');
    await unmute(host.page);

    const guest = await joinByLink(await browser(), server, { room: created.room, invite: created.invite, name: 'Guest' });
    await waitForFramesSent(host.page);
    await listen(guest.page);
    assertTone(await measureTone(guest.page, 1_500), 440, 10, 'the guest hears the host before the kick');
    // A native member who stays: the host's frames must keep reaching it under the new key.
    const witness = bot(['--join', created.room, ...(created.invite ? ['--invite', created.invite] : []), '--listen', '--name', 'Witness']);
    await witness.event('joined', STEP);
    await steadyReport(witness);

    const epochBefore = (await appState(host.page)).epoch;
    const kick = host.page.getByRole('button', { name: 'Kick Guest', exact: true });
    await kick.waitFor({ timeout: STEP }); // the host's audience page names the guest
    await kick.click();
    // Removing someone asks first (docs/web-client.md); the host confirms.
    await host.page.getByRole('dialog').getByRole('button', { name: 'Yes, kick', exact: true }).click();

    await waitForState(guest.page, () => window.stoaApp.events.some((e) => e.type === 'removed' && e.reason === 'kicked'));
    await waitForState(host.page, (before) => window.stoaApp.state.epoch > before, epochBefore);
    const hostEpoch = (await appState(host.page)).epoch;

    // The guest plays nothing more and never learns the new key.
    const after = await measureTone(guest.page, 1_500);
    assert.ok(after.levelDbfs < SILENCE_DBFS, `the kicked guest still plays: ${JSON.stringify(after)}`);
    const guestState = await appState(guest.page);
    assert.ok(guestState.epoch === null || guestState.epoch < hostEpoch, `guest epoch ${guestState.epoch}, host ${hostEpoch}`);
    await screenshot(guest.page, 'client-5-kicked');

    // The host's frames keep flowing: the witness decrypts them under the new epoch.
    const rekeyed = await witness.waitFor((line) => 'frames_decrypted' in line && line.epoch >= hostEpoch, STEP);
    const later = await witness.waitFor(
      (line) => 'frames_decrypted' in line && line.frames_decrypted >= rekeyed.frames_decrypted + 50,
      STEP,
      { from: witness.lines.indexOf(rekeyed) },
    );
    assert.ok(Math.abs(later.frequency_hz - 440) <= 5, JSON.stringify(later));
    assert.equal(later.decrypt_failures, 0);
    assert.deepEqual(host.errors, []);
    assert.deepEqual(guest.errors, []);
  });

  test('(6) the demo flow: a browser hears the host bot, raises a hand, is invited, accepts and is heard', { timeout: TEST_TIMEOUT }, async () => {
    const wav = await makeToneWav(path.join(artifactsDir, 'client-tone-660.wav'), 660, 10);
    // The host bot also listens: a speaker's mix leaves out its own voice, so it hears only the guest.
    const host = bot(['--tone', '440', '--listen', '--invite-raised-hands', '--print-room', '--title', 'Demo room', '--name', 'Demo bot']);
    const created = await host.event('room_created', STEP);
    const guest = await joinByLink(await browser({ fakeAudioWav: wav }), server, { room: created.room, name: 'Guest' });
    await listen(guest.page);
    assertTone(await measureTone(guest.page, 1_500), 440, 10, 'the guest hears the demo host');

    await guest.page.getByRole('button', { name: 'Raise hand', exact: true }).click();
    await host.waitFor((line) => line.event === 'inviting', STEP);
    await guest.page.getByRole('button', { name: 'Accept invitation', exact: true }).click();
    await waitForState(guest.page, () => window.stoaApp.state.role === 'speaker');
    await unmute(guest.page);
    await waitForFramesSent(guest.page);

    // The host hears the new speaker's microphone (the fake device's 660 Hz): a whole report
    // window of the tone within the step. On a loaded machine the browser's first frames can come
    // late and the bot's first full window be silence; a window that is the tone must follow.
    const first = await steadyReport(host);
    const hearsTone = (line) => 'frames_decrypted' in line && Math.abs(line.frequency_hz - 660) <= 5 && line.level_dbfs > -40;
    const report = hearsTone(first)
      ? first
      : await host.waitFor(hearsTone, STEP, { from: host.lines.indexOf(first) + 1 }).catch(() => first);
    assert.ok(Math.abs(report.frequency_hz - 660) <= 5, JSON.stringify(report));
    assert.ok(report.level_dbfs > -40, JSON.stringify(report));
    assert.equal(report.decrypt_failures, 0);
    assert.equal(report.forged_frames, 0);
    await screenshot(guest.page, 'client-6-demo-speaker');
    assert.deepEqual(guest.errors, []);
  });
});
