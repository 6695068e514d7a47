// The engine tests' body, the same for every engine (chromium.test.mjs, firefox.test.mjs and
// webkit.test.mjs each run it with their engine): a browser joins a native tone bot's room and
// hears it, a browser host speaks into the engine's fake microphone and a native listener hears
// it, and a kicked browser listener is cut off while the others keep hearing the host. The page is
// driven as a user drives it (buttons by accessible name, fields by label, see page.mjs) and read
// through window.stoaApp as the Chromium e2e tests read it (docs/web-client.md).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SILENCE_DBFS, assertTone, clientBuilt, measureTone, startBot, startServer, steadyReport, wasmWebRoot } from '../harness.mjs';

const TEST_TIMEOUT = 150_000;
const STEP = 20_000; // the bound on any one awaited step
const BOT_LIFETIME = ['--duration', '180']; // a bot outlives no crashed test by much
const BOT_TONE_HZ = 440;

// Whether `hz` is one of the engine microphone's tones.
const isMicrophoneTone = (mic, hz) => mic.tones.some((tone) => Math.abs(hz - tone) <= mic.toleranceHz);

// Whether a listening bot's report hears the engine's microphone.
const hearsMicrophone = (mic, line) =>
  'frames_decrypted' in line && isMicrophoneTone(mic, line.frequency_hz) && line.level_dbfs > mic.minLevelDbfs;

// The first steady report of `bot` that satisfies `where` and hears the engine's microphone. A
// browser's first frames can be silence (WebKit's mock capture starts with some), and on a loaded
// machine a sender that stalls for a moment leaves a one-second window silent: so a window that
// hears the microphone must come within the step, not necessarily the first. Resolves with the
// last report when none does, for the caller's assertion to show.
async function microphoneReport(bot, mic, { where = () => true } = {}) {
  const first = await steadyReport(bot);
  if (where(first) && hearsMicrophone(mic, first)) return first;
  const lastReport = () => bot.lines.findLast((line) => 'frames_decrypted' in line);
  return bot
    .waitFor((line) => where(line) && hearsMicrophone(mic, line), STEP, { from: bot.lines.indexOf(first) + 1 })
    .catch(() => lastReport());
}

// ---- the user's steps, through the engine-neutral page (page.mjs) ----

// Opens the client (at `hash`, e.g. "#room=…") and waits until its worker has connected.
async function openClient(browser, server, { name, hash = '' } = {}) {
  const page = await browser.newPage();
  await page.goto(server.url + hash);
  await page.waitFor(() => window.stoaApp?.state?.connection === 'open', null, { what: 'the relay connection' });
  if (name) await page.fill('Display name', name);
  return page;
}

const appState = (page) => page.evaluate(() => window.stoaApp.state);
const appEvents = (page) => page.evaluate(() => window.stoaApp.events);

// Until the page has the room's keys, it cannot hear anyone.
const waitInRoomWithKeys = (page) =>
  page.waitFor(() => Boolean(window.stoaApp.state?.inRoom && window.stoaApp.state.keys), null, { what: 'the room and its keys' });

async function joinByLink(browser, server, { room, invite = null, name }) {
  const page = await openClient(browser, server, { name, hash: invite ? `#room=${room}&invite=${invite}` : `#room=${room}` });
  await page.clickButton('Join');
  await waitInRoomWithKeys(page);
  return page;
}

// Creates an open room from the start screen; resolves with its {room, invite} from the events.
async function createRoom(page, title) {
  await page.fill('Room title', title);
  await page.clickButton('Create room');
  await waitInRoomWithKeys(page);
  const created = (await appEvents(page)).find((event) => event.type === 'room_created');
  assert.ok(created, 'a room_created event');
  return created;
}

// Listen is the user gesture that lets the page play: the output node appears, frames are
// decrypted, and the engine's AudioContext runs (Firefox takes a second or two to open its
// PulseAudio stream).
async function listen(page) {
  await page.clickButton('Listen');
  await page.waitFor(() => window.stoaApp.audioOutput !== null && window.stoaApp.state.stats.framesDecrypted > 0, null, {
    what: 'decrypted frames and an audio output',
  });
  await page.waitFor(() => window.stoaApp.audioContext?.state === 'running', null, { what: 'the AudioContext to run' });
}

async function unmute(page) {
  await page.clickButton('Unmute microphone');
  await page.waitFor(() => window.stoaApp.state.me && window.stoaApp.state.me.selfMuted === false, null, { what: 'unmuted' });
}

const waitForFramesSent = (page) =>
  page.waitFor(() => window.stoaApp.state.stats.framesSent > 0, null, { what: 'frames sent' });

const roomArgs = (created) => ['--join', created.room, ...(created.invite ? ['--invite', created.invite] : [])];

// `engine` is one of ./chromium.mjs, ./firefox.mjs, ./webkit.mjs: {name, microphone, missing(),
// start()}; engine.microphone is what its fake microphone sounds like through the relay:
// {tones, toleranceHz, minLevelDbfs, what}.
export function engineSuite(engine) {
  const missing = engine.missing();
  const inCi = process.env.CI === 'true';
  let skip = false;
  if (!clientBuilt) skip = 'the client is not built (build/wasm/web/stoa-core.wasm is missing)';
  else if (missing && !inCi) skip = `${missing} (with CI=true this fails)`;
  const mic = engine.microphone;

  // The skip is on each test, not on the suite, so that the skipped tests are counted.
  describe(engine.name, () => {
    let server;
    let session;
    const cleanups = [];
    before(async () => {
      if (skip || missing) return; // every test is skipped, or fails below naming what is missing
      server = await startServer({ webRoot: wasmWebRoot });
      session = await engine.start();
    });
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      await session?.stop();
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
    const launch = async () => {
      const browser = await session.launch();
      return keep(browser, () => browser.close());
    };
    const it = (title, body) =>
      test(`${engine.name}: ${title}`, { skip, timeout: TEST_TIMEOUT }, async (context) => {
        if (missing) throw new Error(`${engine.name} cannot run: ${missing}`);
        return body(context);
      });

    it(`(a) joins a native tone bot's room, presses Listen and hears its ${BOT_TONE_HZ} Hz tone`, async () => {
      const host = bot(['--tone', String(BOT_TONE_HZ), '--print-room', '--title', 'Tone room', '--name', 'Tone bot']);
      const created = await host.event('room_created', STEP);
      const page = await joinByLink(await launch(), server, { room: created.room, name: 'Ear' });
      assert.equal((await appState(page)).role, 'listener');
      await listen(page);
      const measured = await measureTone(page, 2_000);
      assert.equal(measured.contextState, 'running');
      assertTone(measured, BOT_TONE_HZ, 10, `${engine.name} plays the bot`);
      const { stats } = await appState(page);
      assert.equal(stats.decryptFailures, 0);
      await page.screenshot(`engines-${engine.name}-a-listening`);
      assert.deepEqual(await page.errors(), []);
    });

    it('(b) creates a room and unmutes; a native listener hears its fake microphone, decrypted', async () => {
      const page = await openClient(await launch(), server, { name: 'Host' });
      const created = await createRoom(page, `${engine.name} room`);
      assert.equal((await appState(page)).role, 'host');

      const listener = bot([...roomArgs(created), '--listen', '--name', 'Native ear']);
      assert.equal((await listener.event('joined', STEP)).role, 'listener');
      await unmute(page);
      await waitForFramesSent(page);
      const report = await microphoneReport(listener, mic);
      assert.ok(isMicrophoneTone(mic, report.frequency_hz), `the ${mic.what}: ${JSON.stringify(report)}`);
      assert.ok(report.level_dbfs > mic.minLevelDbfs, JSON.stringify(report));
      assert.equal(report.decrypt_failures, 0);
      assert.equal(report.forged_frames, 0);
      await page.screenshot(`engines-${engine.name}-b-speaking`);
      assert.deepEqual(await page.errors(), []);
    });

    it('(c) a kicked browser listener is cut off while the host keeps speaking to the others', async () => {
      const browser = await launch();
      const host = await openClient(browser, server, { name: 'Host' });
      const created = await createRoom(host, 'Kick room');
      await unmute(host);

      const guest = await joinByLink(browser, server, { room: created.room, invite: created.invite, name: 'Guest' });
      await waitForFramesSent(host);
      await listen(guest);
      const beforeKick = await measureTone(guest, 1_500);
      assert.ok(isMicrophoneTone(mic, beforeKick.frequencyHz), `the guest hears the host's ${mic.what} before the kick: ${JSON.stringify(beforeKick)}`);
      assert.ok(beforeKick.levelDbfs > SILENCE_DBFS, `the guest hears the host before the kick: ${JSON.stringify(beforeKick)}`);
      // A native member who stays: the host's frames must keep reaching it under the new key.
      const witness = bot([...roomArgs(created), '--listen', '--name', 'Witness']);
      await witness.event('joined', STEP);
      await steadyReport(witness);

      const epochBefore = (await appState(host)).epoch;
      await host.clickButton('Kick Guest'); // the host's audience list names the guest
      // Removing someone asks first (docs/web-client.md); the host confirms.
      await host.clickButton('Yes, kick');

      await guest.waitFor(() => window.stoaApp.events.some((e) => e.type === 'removed' && e.reason === 'kicked'), null, {
        what: 'the guest to be told it was kicked',
      });
      await host.waitFor((before) => window.stoaApp.state.epoch > before, epochBefore, { what: 'the host to rekey' });
      const hostEpoch = (await appState(host)).epoch;

      // The guest shows it was removed, plays nothing more and never learns the new key.
      assert.ok((await guest.visibleTexts('h1')).includes('You are no longer in the room'), 'the guest sees it was removed');
      const afterKick = await measureTone(guest, 1_500);
      assert.ok(afterKick.levelDbfs < SILENCE_DBFS, `the kicked guest still plays: ${JSON.stringify(afterKick)}`);
      const guestState = await appState(guest);
      assert.ok(guestState.epoch === null || guestState.epoch < hostEpoch, `guest epoch ${guestState.epoch}, host ${hostEpoch}`);
      await guest.screenshot(`engines-${engine.name}-c-kicked`);

      // The host's frames keep flowing: the witness decrypts them under the new epoch.
      const rekeyed = await witness.waitFor((line) => 'frames_decrypted' in line && line.epoch >= hostEpoch, STEP);
      const later = await microphoneReport(witness, mic, {
        where: (line) => line.epoch >= hostEpoch && line.frames_decrypted >= rekeyed.frames_decrypted + 50,
      });
      assert.ok(isMicrophoneTone(mic, later.frequency_hz), `the ${mic.what}: ${JSON.stringify(later)}`);
      assert.ok(later.level_dbfs > mic.minLevelDbfs, JSON.stringify(later));
      assert.equal(later.decrypt_failures, 0);
      assert.deepEqual(await host.errors(), []);
      assert.deepEqual(await guest.errors(), []);
    });
  });
}
