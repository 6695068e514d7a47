// Reactions and the security code's other forms, end to end in Debian's Chromium against a live
// stoa-server: one browser reacts and the other sees it (decrypted by its own core: the relay
// routes only ciphertext), and two members show the same emoji and words under the digits.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clientBuilt, collectConsoleErrors, launchBrowser, screenshot, startServer, wasmWebRoot } from '../harness.mjs';

const skip = clientBuilt ? false : 'the client is not built (build/wasm/web/stoa-core.wasm is missing)';
const TEST_TIMEOUT = 120_000;
const STEP = 20_000; // the bound on any one awaited step

async function openClient(browser, server, { name, hash = '' }) {
  const page = await browser.newPage();
  const errors = collectConsoleErrors(page);
  await page.goto(server.url + hash);
  await page.waitForFunction(() => window.stoaApp?.state?.connection === 'open', null, { timeout: STEP });
  await page.getByLabel('Display name').fill(name);
  return { page, errors };
}

const waitInRoomWithKeys = (page) =>
  page.waitForFunction(() => window.stoaApp.state?.inRoom && window.stoaApp.state.keys, null, { timeout: STEP });

describe('reactions', { skip }, () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer({ webRoot: wasmWebRoot });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('a listener reacts and the host sees it; the host reacts and the listener sees it on the stage', { timeout: TEST_TIMEOUT }, async () => {
    const host = await openClient(browser, server, { name: 'Hana' });
    await host.page.getByLabel('Room title').fill('Reaction room');
    await host.page.getByRole('button', { name: 'Create room', exact: true }).click();
    await waitInRoomWithKeys(host.page);
    const created = await host.page.evaluate(() => window.stoaApp.events.find((event) => event.type === 'room_created'));
    assert.ok(created, 'a room_created event');

    const guest = await openClient(browser, server, { name: 'Gus', hash: `#room=${created.room}` });
    await guest.page.getByRole('button', { name: 'Join', exact: true }).click();
    await waitInRoomWithKeys(guest.page);
    const guestId = await guest.page.evaluate(() => window.stoaApp.state.id);
    const hostId = await host.page.evaluate(() => window.stoaApp.state.id);

    // The guest (in the audience) claps: the host's core decrypts it and the page lists it.
    await guest.page.getByRole('button', { name: 'React: clapping', exact: true }).click();
    await host.page.locator(`[data-testid="reaction"][data-member="${guestId}"][data-reaction="clap"]`).waitFor({ timeout: STEP });
    const event = await host.page.evaluate(() => window.stoaApp.events.find((e) => e.type === 'reaction'));
    assert.equal(event.member, guestId);
    assert.equal(event.name, 'clap');

    // The host (on stage) sends a heart: the guest sees it on the host's avatar and in the list.
    await host.page.getByRole('button', { name: 'React: heart', exact: true }).click();
    const onAvatar = guest.page.locator(`[data-testid="stage-member"][data-member-id="${hostId}"] [data-testid="reaction-badge"][data-reaction="heart"]`);
    await onAvatar.waitFor({ state: 'visible', timeout: STEP });
    const listed = guest.page.locator(`[data-testid="reaction"][data-member="${hostId}"][data-reaction="heart"]`);
    assert.match(await listed.textContent(), /Hana: heart/);
    await screenshot(guest.page, 'reactions-1-heart-on-stage');

    // A reaction is transient: it goes after a few seconds.
    await onAvatar.waitFor({ state: 'hidden', timeout: STEP });
    assert.deepEqual(host.errors, []);
    assert.deepEqual(guest.errors, []);
  });

  test('two members show the same security code as digits, emoji and words', { timeout: TEST_TIMEOUT }, async () => {
    const host = await openClient(browser, server, { name: 'Host' });
    await host.page.getByLabel('Room title').fill('Code room');
    await host.page.getByRole('button', { name: 'Create room', exact: true }).click();
    await waitInRoomWithKeys(host.page);
    const created = await host.page.evaluate(() => window.stoaApp.events.find((event) => event.type === 'room_created'));
    const guest = await openClient(browser, server, { name: 'Guest', hash: `#room=${created.room}` });
    await guest.page.getByRole('button', { name: 'Join', exact: true }).click();
    await waitInRoomWithKeys(guest.page);

    // Both at the same epoch (the guest's join ratcheted the key): compare then.
    const forms = async (page) => {
      await page.waitForFunction(() => {
        const s = window.stoaApp.state;
        return s.securityCode && s.securityWords && document.getElementById('security-words').textContent !== '';
      }, null, { timeout: STEP });
      return page.evaluate(() => ({
        epoch: window.stoaApp.state.epoch,
        digits: document.getElementById('security-code').textContent,
        emoji: document.getElementById('security-emoji').textContent,
        words: document.getElementById('security-words').textContent,
      }));
    };
    const epoch = await guest.page.evaluate(() => window.stoaApp.state.epoch);
    await host.page.waitForFunction((e) => window.stoaApp.state.epoch === e, epoch, { timeout: STEP });
    const atHost = await forms(host.page);
    const atGuest = await forms(guest.page);
    assert.equal(atHost.epoch, atGuest.epoch);
    assert.deepEqual(atGuest, atHost);
    assert.match(atHost.digits, /^\d{5}( \d{5}){4}$/);
    assert.match(atHost.words, /^[a-z]+( [a-z]+){7}$/);
    assert.equal(atHost.emoji.split(' ').length, 8);
  });
});
