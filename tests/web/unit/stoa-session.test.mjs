// The JavaScript glue over the WebAssembly core (wasm/js/stoa-session.js), run under Node against
// the real build (build/wasm/web, or STOA_WEB_DIR). No relay here: the live paths are covered by
// the Chromium tests; these pin the boundary's contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const webDir = process.env.STOA_WEB_DIR ? path.resolve(root, process.env.STOA_WEB_DIR) : path.join(root, 'build/wasm/web');
const built = existsSync(path.join(webDir, 'stoa-core.js'));
const require = createRequire(import.meta.url);

async function load() {
  const createStoaCore = require(path.join(webDir, 'stoa-core.js'));
  const { StoaSession, StoaEncoder, StoaError, FRAME_SAMPLES } = require(path.join(root, 'wasm/js/stoa-session.js'));
  // The bytes are handed over: the loader's own fetch() cannot take a file path under Node 20.
  const core = await createStoaCore({ wasmBinary: readFileSync(path.join(webDir, 'stoa-core.wasm')) });
  const encoder = await StoaEncoder.load(readFileSync(path.join(webDir, 'stoa-encoder.wasm')));
  return { core, encoder, StoaSession, StoaEncoder, StoaError, FRAME_SAMPLES };
}

test('a stored seed gives back the same member; a new identity exports a seed that does', { skip: !built }, async () => {
  const { core, StoaSession } = await load();
  const fresh = new StoaSession(core, { context: 'http://127.0.0.1' });
  const seed = fresh.seed();
  assert.equal(seed.length, 32);
  assert.match(fresh.id, /^[0-9a-f]{32}$/);
  const restored = new StoaSession(core, { seed, context: 'http://127.0.0.1' });
  assert.equal(restored.id, fresh.id);
  const other = new StoaSession(core, { seed: seed.map((b, i) => (i === 0 ? b ^ 1 : b)) });
  assert.notEqual(other.id, fresh.id);
  for (const s of [fresh, restored, other]) s.destroy();
});

test('connecting sends a hello with this member\'s key as the first message', { skip: !built }, async () => {
  const { core, StoaSession } = await load();
  const session = new StoaSession(core);
  assert.deepEqual(session.takeOutbound(), []);
  session.connected(1000);
  const out = session.takeOutbound();
  assert.equal(out.length, 1);
  assert.equal(typeof out[0].data, 'string');
  assert.equal(out[0].media, false); // JSON is control: a congested socket never drops it
  const hello = JSON.parse(out[0].data);
  assert.equal(hello.type, 'hello');
  assert.equal(hello.key, session.publicKey);
  session.destroy();
});

test('garbage from the network never throws: it becomes error events and the session stays usable', { skip: !built }, async () => {
  const { core, StoaSession } = await load();
  const session = new StoaSession(core);
  session.connected(0);
  session.takeOutbound();
  let seed = 12345;
  const random = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 24; };
  for (let i = 0; i < 300; i += 1) {
    const bytes = new Uint8Array(random() + (i % 3) * 200).map(() => random());
    assert.doesNotThrow(() => session.receive(i % 2 ? bytes : bytes.buffer, i));
    assert.doesNotThrow(() => session.receive(String.fromCharCode(...bytes.subarray(0, 64)), i));
  }
  assert.doesNotThrow(() => session.receive('{"type":"error","code":1,"name":"\udc00","message":"x"}', 1));
  const events = session.takeEvents();
  assert.ok(events.length > 0);
  assert.ok(events.every((e) => typeof e.type === 'string'));
  assert.ok(events.some((e) => e.type === 'error'));
  const state = session.state(400);
  assert.equal(state.inRoom, false);
  session.destroy();
});

test('programmer errors throw TypeError before reaching the core', { skip: !built }, async () => {
  const { core, encoder, StoaSession, FRAME_SAMPLES } = await load();
  const session = new StoaSession(core);
  assert.throws(() => new StoaSession(core, { seed: new Uint8Array(31) }), TypeError);
  assert.throws(() => session.joinRoom({ room: 'abc' }), TypeError);
  assert.throws(() => session.joinRoom({ room: '0'.repeat(32), invite: 'zz' }), TypeError);
  assert.throws(() => session.joinRoom({ room: '0'.repeat(32), admission: 'a'.repeat(63) }), TypeError);
  assert.throws(() => session.joinRoom({ room: '0'.repeat(32), host: 'A'.repeat(64) }), TypeError);
  assert.throws(() => session.act({ type: 'kick', target: 'nope' }), TypeError);
  assert.throws(() => session.act({ type: 'fly' }), TypeError);
  assert.throws(() => session.createRoom({ kind: 'secret' }), TypeError);
  assert.throws(() => session.sendAudio(new Int16Array(10), 0, encoder), TypeError);
  assert.throws(() => session.sendAudio(new Float32Array(FRAME_SAMPLES), 0, encoder), TypeError);
  assert.throws(() => session.sendAudio(new Int16Array(FRAME_SAMPLES), 0, null), TypeError);
  assert.throws(() => session.sendOpus([1, 2, 3], 0), TypeError);
  session.destroy();
});

test('the encoder module makes packets in the mode asked, and again when the mode flips', { skip: !built }, async () => {
  const { encoder, StoaError, FRAME_SAMPLES } = await load();
  const pcm = new Int16Array(FRAME_SAMPLES).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48000)));
  const silence = new Int16Array(FRAME_SAMPLES);
  // Half a second of tone, then half a second of silence (Opus enters DTX after a few silent frames).
  const frames = [...Array(25)].map((_, i) => (i < 25 / 2 ? pcm : silence));
  const sizes = (constantRate) => frames.map((frame) => encoder.encode(frame, { constantRate, bitrate: 32000, maxBytes: 400 }).length);
  // CBR: every coded frame one size (DTX frames too are padded to it by the core, media_sender).
  const cbr = sizes(true);
  assert.ok(cbr.filter((size) => size > 2).every((size) => size === cbr[0]), `constant rate: one size (${cbr})`);
  const vbr = sizes(false);
  assert.equal(encoder.constantRate, false);
  assert.ok(vbr.at(-1) <= 2, `VBR: silence goes to DTX (${vbr})`);
  assert.ok(encoder.encode(pcm, { constantRate: false, bitrate: 32000, maxBytes: 1000 }).length > 2);
  assert.throws(() => encoder.encode(pcm, { constantRate: false, bitrate: 1, maxBytes: 400 }), StoaError);
  assert.throws(() => encoder.encode(new Int16Array(10), { constantRate: false, bitrate: 32000, maxBytes: 400 }), TypeError);
  encoder.destroy();
});

test('audio outside a room is refused with a reason, and the mix is silence', { skip: !built }, async () => {
  const { core, encoder, StoaSession, FRAME_SAMPLES } = await load();
  const session = new StoaSession(core);
  const pcm = new Int16Array(FRAME_SAMPLES).fill(1000);
  assert.equal(session.sendAudio(pcm, 0, encoder), 'not_in_room');
  assert.equal(encoder.handle, 0); // refused before encoding: no encoder made
  assert.equal(session.sendOpus(new Uint8Array(80), 0), 'not_in_room');
  assert.equal(session.sendOpus(new Uint8Array(0), 0), 'too_large'); // an empty packet is never sent
  const out = session.pullAudio(20);
  assert.equal(out.length, FRAME_SAMPLES);
  assert.ok(out.every((s) => s === 0));
  assert.deepEqual(session.takeOutbound(), []);
  session.destroy();
});

test('an over-long display name is refused by the core as a bad argument', { skip: !built }, async () => {
  const { core, StoaSession, StoaError } = await load();
  const session = new StoaSession(core);
  assert.throws(() => session.joinRoom({ room: 'a'.repeat(32), name: 'n'.repeat(65) }), StoaError);
  session.joinRoom({ room: 'a'.repeat(32), name: 'n'.repeat(64) });
  session.destroy();
});

test('the identity key and the link fields read back; outside a room there is no secret or trusted host', { skip: !built }, async () => {
  const { core, StoaSession } = await load();
  const session = new StoaSession(core);
  assert.match(session.publicKey, /^[0-9a-f]{64}$/);
  assert.equal(session.admissionSecret(), null);
  assert.equal(session.trustedHost(), null);
  const state = session.state(0);
  assert.equal(state.publicKey, session.publicKey);
  assert.equal(state.admission, null);
  assert.equal(state.hostKey, null);
  session.destroy();
});

test('a join with the link secret and host key is accepted and goes out as control JSON without the secret', { skip: !built }, async () => {
  const { core, StoaSession } = await load();
  const session = new StoaSession(core);
  session.connected(0);
  session.takeOutbound();
  const secret = 'ab'.repeat(32);
  session.joinRoom({ room: 'c'.repeat(32), admission: secret, host: 'd'.repeat(64), name: 'Ada' });
  const out = session.takeOutbound();
  // Not authenticated yet, so the join may wait; whatever left carries no secret.
  for (const message of out) {
    assert.equal(message.media, false);
    if (typeof message.data === 'string') assert.ok(!message.data.includes(secret));
  }
  session.destroy();
});
