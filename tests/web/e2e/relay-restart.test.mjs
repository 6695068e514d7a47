// Rooms that survive a relay crash (issue 13, the browser's part): the relay is killed with SIGKILL
// and started again on its port; the host's page re-creates the room under the same id, the
// listener's page rejoins it, both say that the relay is lost meanwhile (not that they are in the
// room), and the listener hears the host again. Skipped until the wasm build has staged the client.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  artifactsDir,
  clientBuilt,
  collectConsoleErrors,
  freePort,
  launchBrowser,
  makeToneWav,
  measureTone,
  screenshot,
  startServer,
  wasmWebRoot,
} from '../harness.mjs';

const skip = clientBuilt ? false : 'the client is not built (build/wasm/web/stoa-core.wasm is missing)';
const TEST_TIMEOUT = 180_000;
const STEP = 30_000; // the bound on any one awaited step (a rejoin waits out the backoff)
const SILENCE_DBFS = -60;
const LOST = /^Lost the relay — reconnecting \(attempt \d+\)…$/;

const appState = (page) => page.evaluate(() => window.stoaApp.state);
const waitForState = (page, predicate, arg) => page.waitForFunction(predicate, arg, { timeout: STEP });

async function openClient(browser, server, { name, hash = '' }) {
  const page = await browser.newPage();
  const errors = collectConsoleErrors(page);
  await page.goto(server.url + hash);
  await waitForState(page, () => window.stoaApp?.state?.connection === 'open');
  await page.getByLabel('Display name').fill(name);
  return { page, errors };
}

// On a timeout the error carries what the page last knew, to tell a relay that never came back
// from a room that did not.
async function inRoomWithKeys(page, room) {
  try {
    await waitForState(page, (id) => {
      const state = window.stoaApp.state;
      return state.connection === 'open' && state.inRoom && state.room === id && state.keys;
    }, room);
  } catch (error) {
    const seen = await page.evaluate(() => ({
      state: window.stoaApp.state,
      events: window.stoaApp.events.filter((event) => !['roster_changed', 'directory'].includes(event.type)).slice(-15),
    }));
    throw new Error(`${error.message}\nstate: ${JSON.stringify(seen.state)}\nevents: ${JSON.stringify(seen.events)}`);
  }
}

// The microphone is off after a rejoin, as after a join: turn it on when it is.
async function unmuteIfMuted(page) {
  await waitForState(page, () => window.stoaApp.state.me !== null);
  if (!(await appState(page)).me.selfMuted) return;
  await page.getByRole('button', { name: 'Unmute microphone', exact: true }).click();
  await waitForState(page, () => window.stoaApp.state.me && window.stoaApp.state.me.selfMuted === false);
}

// The listener has decrypted `frames` more frames than `from`.
const heardMore = (page, from, frames) =>
  waitForState(page, ([base, more]) => window.stoaApp.state.stats.framesDecrypted >= base + more, [from, frames]);

function assertTone(measured, hz, what) {
  assert.ok(Math.abs(measured.frequencyHz - hz) <= 10, `${what}: ${JSON.stringify(measured)}`);
  assert.ok(measured.levelDbfs > SILENCE_DBFS, `${what} above silence: ${JSON.stringify(measured)}`);
}

// Console errors other than the refused WebSocket connections a lost relay causes by design.
const unexpected = (errors) => errors.filter((text) => !/WebSocket connection to .* failed|ERR_CONNECTION_REFUSED/.test(text));

describe('relay restart', { skip }, () => {
  const cleanups = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  test('after kill -9 and a restart on the same port, host and listener are back in the same room and audio resumes', { timeout: TEST_TIMEOUT }, async () => {
    let server = await startServer({ webRoot: wasmWebRoot });
    cleanups.push(() => server.stop());
    const wav = await makeToneWav(path.join(artifactsDir, 'restart-tone-440.wav'), 440, 10);
    const browser = await launchBrowser({ fakeAudioWav: wav });
    cleanups.push(() => browser.close());

    // The host speaks a tone into the fake microphone.
    const host = await openClient(browser, server, { name: 'Host' });
    await host.page.getByLabel('Room title').fill('Survives restarts');
    await host.page.getByRole('button', { name: 'Create room', exact: true }).click();
    await waitForState(host.page, () => window.stoaApp.state.inRoom && window.stoaApp.state.keys);
    const room = (await appState(host.page)).room;
    await unmuteIfMuted(host.page);

    // The listener's link names a second relay that is down: the page tries them in turn.
    const deadRelay = `ws://127.0.0.1:${await freePort()}/ws`;
    const listener = await openClient(browser, server, {
      name: 'Listener', hash: `#room=${room}&relays=${encodeURIComponent(deadRelay)}`,
    });
    await listener.page.getByRole('button', { name: 'Join', exact: true }).click();
    await inRoomWithKeys(listener.page, room);
    await listener.page.getByRole('button', { name: 'Listen', exact: true }).click();
    await waitForState(listener.page, () => window.stoaApp.audioOutput !== null && window.stoaApp.state.stats.framesDecrypted > 0);
    assertTone(await measureTone(listener.page, 1_500), 440, 'the listener hears the host before the crash');

    // The crash: no drain, no relay_shutdown. Both pages say the relay is lost and leave the room view.
    await server.kill();
    for (const { page } of [host, listener]) {
      await page.getByRole('status').filter({ hasText: LOST }).waitFor({ state: 'visible', timeout: STEP });
      const lost = await appState(page);
      assert.equal(lost.inRoom, false, 'not shown in the room while the relay is lost');
      assert.equal(lost.rejoining, room, 'the room it will rejoin');
      assert.ok(lost.reconnect && lost.reconnect.attempt >= 1, JSON.stringify(lost.reconnect));
      assert.equal(await page.locator('#room-screen').isVisible(), false);
      assert.equal(await page.locator('#rejoining-screen').isVisible(), true);
    }
    await screenshot(listener.page, 'restart-1-lost');
    const decryptedBefore = (await appState(listener.page)).stats.framesDecrypted;

    // The same relay again, empty: the host re-creates the room under its id, the listener rejoins.
    server = await startServer({ webRoot: wasmWebRoot, port: server.port });
    await inRoomWithKeys(host.page, room);
    await inRoomWithKeys(listener.page, room);
    const hostEvents = await host.page.evaluate(() => window.stoaApp.events);
    assert.ok(hostEvents.some((event) => event.type === 'connection_lost' && event.room === room), 'the host lost the room');
    assert.ok(hostEvents.some((event) => event.type === 'rejoined' && event.room === room && event.recreated),
      'the host re-created the room');
    const listenerEvents = await listener.page.evaluate(() => window.stoaApp.events);
    assert.ok(listenerEvents.some((event) => event.type === 'rejoined' && event.room === room && !event.recreated),
      'the listener rejoined it');
    assert.equal((await appState(host.page)).role, 'host');
    for (const { page } of [host, listener]) {
      await waitForState(page, () => document.querySelector('[data-testid="relay-status"]').textContent === '');
      assert.equal(await page.locator('#room-screen').isVisible(), true);
      assert.equal((await appState(page)).reconnect, null);
    }

    // Audio resumes: the host's microphone is back on, the listener decrypts and plays the tone.
    await unmuteIfMuted(host.page);
    await heardMore(listener.page, decryptedBefore, 50);
    assertTone(await measureTone(listener.page, 1_500), 440, 'the listener hears the host after the restart');
    await screenshot(listener.page, 'restart-2-back');
    assert.deepEqual(unexpected(host.errors), []);
    assert.deepEqual(unexpected(listener.errors), []);
  });

  test('a member who stops rejoining is back on the start screen, same identity, and does not return to the room', { timeout: TEST_TIMEOUT }, async () => {
    let server = await startServer({ webRoot: wasmWebRoot });
    cleanups.push(() => server.stop());
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const host = await openClient(browser, server, { name: 'Host' });
    await host.page.getByLabel('Room title').fill('Given up');
    await host.page.getByRole('button', { name: 'Create room', exact: true }).click();
    await waitForState(host.page, () => window.stoaApp.state.inRoom);
    const before = await appState(host.page);

    await server.kill();
    await host.page.getByRole('status').filter({ hasText: LOST }).waitFor({ state: 'visible', timeout: STEP });
    await host.page.getByRole('button', { name: 'Stop rejoining', exact: true }).click();
    await waitForState(host.page, () => window.stoaApp.state.rejoining === null);
    assert.equal(await host.page.locator('#start-screen').isVisible(), true);

    server = await startServer({ webRoot: wasmWebRoot, port: server.port });
    await waitForState(host.page, () => window.stoaApp.state.connection === 'open');
    // The directory arrives over the new connection: the relay has answered, and the room is gone.
    await waitForState(host.page, () => window.stoaApp.events.filter((event) => event.type === 'directory').length >= 2);
    const after = await appState(host.page);
    assert.equal(after.id, before.id, 'the same identity');
    assert.equal(after.inRoom, false);
    assert.equal(after.rejoining, null);
    const events = await host.page.evaluate(() => window.stoaApp.events);
    assert.ok(!events.some((event) => event.type === 'rejoined'), 'no rejoin after stopping');
    assert.equal(await host.page.getByTestId('relay-status').textContent(), '');
    assert.deepEqual(unexpected(host.errors), []);
  });
});
