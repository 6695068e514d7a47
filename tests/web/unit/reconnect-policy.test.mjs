// The worker's reconnect policy (web/reconnect-policy.js): which relay next, how long to wait (full
// jitter under an exponential, capped ceiling), and when to give up, with time and randomness
// passed in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { ReconnectPolicy, MIN_DELAY_MS, MAX_DELAY_MS, GIVE_UP_AFTER_MS } = require('../../../web/reconnect-policy.js');

const A = 'ws://a.example/ws';
const B = 'wss://b.example/ws';
const C = 'wss://c.example/ws';
const top = () => 1 - Number.EPSILON; // the top of the jitter range
const options = (random) => ({ minDelayMs: 100, maxDelayMs: 1600, giveUpAfterMs: 10_000, random });

test('the defaults: 250 ms first ceiling, 10 s cap, a minute to give up', () => {
  assert.equal(MIN_DELAY_MS, 250);
  assert.equal(MAX_DELAY_MS, 10_000);
  assert.equal(GIVE_UP_AFTER_MS, 60_000);
});

test('a list is required', () => {
  assert.throws(() => new ReconnectPolicy([]), TypeError);
  assert.throws(() => new ReconnectPolicy(''), TypeError);
  assert.throws(() => new ReconnectPolicy([A, '']), TypeError);
});

test('every failed attempt moves to the next relay, round and round', () => {
  const policy = new ReconnectPolicy([A, B, C], options(() => 0.5));
  assert.equal(policy.url, A);
  const urls = [];
  for (let i = 0; i < 7; i += 1) urls.push(policy.failed(i).url);
  assert.deepEqual(urls, [B, C, A, B, C, A, B]);
});

test('one relay: every attempt goes back to it', () => {
  const policy = new ReconnectPolicy([A], options(() => 0.5));
  for (let i = 0; i < 5; i += 1) assert.equal(policy.failed(i).url, A);
});

test('the ceiling doubles per round through the list and stops at the cap', () => {
  const single = new ReconnectPolicy([A], options(top));
  const ceilings = [];
  for (let i = 1; i <= 7; i += 1) ceilings.push(Math.round(single.failed(0).delayMs));
  assert.deepEqual(ceilings, [100, 200, 400, 800, 1600, 1600, 1600]);

  // Three relays: each is tried once at a ceiling before it doubles.
  const three = new ReconnectPolicy([A, B, C], options(top));
  const rounds = [];
  for (let i = 1; i <= 7; i += 1) rounds.push(Math.round(three.failed(0).delayMs));
  assert.deepEqual(rounds, [100, 100, 100, 200, 200, 200, 400]);
});

test('full jitter: the delay is uniform below the ceiling, down to zero', () => {
  const draws = [0, 0.25, 0.5, 0.999];
  let next = 0;
  const policy = new ReconnectPolicy([A], { ...options(() => draws[next++]), maxDelayMs: 100 });
  assert.deepEqual(draws.map(() => policy.failed(0).delayMs), [0, 25, 50, 99.9]);
});

test('delays stay within [0, cap] for any random source', () => {
  const policy = new ReconnectPolicy([A, B], options(Math.random));
  for (let i = 0; i < 200; i += 1) {
    const next = policy.failed(0);
    assert.ok(next.delayMs >= 0 && next.delayMs <= 1600, `${next.delayMs}`);
  }
});

test('attempts count within one outage and restart after a connection opens', () => {
  const policy = new ReconnectPolicy([A, B], options(() => 0.5));
  assert.equal(policy.failed(0).attempt, 1);
  assert.equal(policy.failed(10).attempt, 2);
  assert.equal(policy.failed(20).attempt, 3);
  policy.opened();
  assert.equal(policy.outageMs(30), 0);
  // The relay that answered is the one to return to first... after a loss, the next one in turn.
  const url = policy.url;
  const next = policy.failed(40);
  assert.equal(next.attempt, 1);
  assert.notEqual(next.url, url);
  assert.equal(Math.round(policy.ceilingMs()), 100);
});

test('the outage is bounded: no attempt is scheduled past the give-up time, then null', () => {
  const policy = new ReconnectPolicy([A], options(top));
  let now = 1_000;
  let last = null;
  for (;;) {
    const next = policy.failed(now);
    if (next === null) break;
    assert.ok(now + next.delayMs <= 1_000 + 10_000, `attempt ${next.attempt} at ${now + next.delayMs}`);
    last = next;
    now += next.delayMs;
  }
  assert.ok(last.attempt >= 5, 'several attempts before giving up');
  assert.equal(now, 11_000);
  assert.equal(policy.failed(now + 1), null, 'and it stays given up');
});

test('reset() starts again from the first relay with a fresh budget', () => {
  const policy = new ReconnectPolicy([A, B], options(() => 0.5));
  assert.equal(policy.failed(0).url, B);
  assert.equal(policy.failed(20_000), null);
  policy.reset();
  assert.equal(policy.url, A);
  const next = policy.failed(30_000);
  assert.equal(next.attempt, 1);
  assert.equal(next.url, B);
});

test('relay_shutdown: at least the delay the relay asked for, plus jitter, on the next relay', () => {
  const policy = new ReconnectPolicy([A, B], options(() => 0.5));
  const next = policy.shutdown(0, 2_000);
  assert.equal(next.url, B);
  assert.equal(next.delayMs, 2_000 + 50);
  // A nonsense or missing delay falls back to the minimum.
  assert.equal(policy.shutdown(0, undefined).delayMs, 100 + 50);
  assert.equal(policy.shutdown(0, -5).delayMs, 100 + 100); // third attempt: second round, ceiling 200
  // Still bounded by the outage's budget.
  assert.equal(policy.shutdown(9_000, 5_000).delayMs, 1_000);
});
