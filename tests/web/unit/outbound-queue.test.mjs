// The worker's send policy (web/outbound-queue.js) against a fake socket whose backlog the test
// sets: audio may be dropped under congestion, control never, and nothing overtakes waiting control.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { OutboundQueue, MAX_BUFFERED_BYTES } = require('../../../web/outbound-queue.js');

// A socket that records what it was given; `bufferedAmount` is whatever the test says.
function fakeSocket() {
  return { bufferedAmount: 0, sent: [], send(data) { this.sent.push(data); } };
}
const media = (name) => ({ data: new Uint8Array([1, name]), media: true });
const bundle = (name) => ({ data: new Uint8Array([4, name]), media: false });
const json = (text) => ({ data: text, media: false });
const names = (socket) => socket.sent.map((data) => (typeof data === 'string' ? data : `${data[0]}:${data[1]}`));

test('an idle socket gets everything at once, in order', () => {
  const queue = new OutboundQueue();
  const socket = fakeSocket();
  assert.equal(queue.offer(socket, json('hello')), 'sent');
  assert.equal(queue.offer(socket, media(1)), 'sent');
  assert.equal(queue.offer(socket, bundle(2)), 'sent');
  assert.deepEqual(names(socket), ['hello', '1:1', '4:2']);
  assert.equal(queue.length, 0);
});

test('a congested socket drops audio but keeps key bundles, signatures and JSON, in order', () => {
  const queue = new OutboundQueue();
  const socket = fakeSocket();
  socket.bufferedAmount = MAX_BUFFERED_BYTES + 1;
  assert.equal(queue.offer(socket, media(1)), 'dropped');
  assert.equal(queue.offer(socket, bundle(2)), 'queued');
  assert.equal(queue.offer(socket, { data: new Uint8Array([2, 3]), media: false }), 'queued'); // a signature
  assert.equal(queue.offer(socket, json('raise_hand')), 'queued');
  assert.deepEqual(socket.sent, []);
  assert.equal(queue.stats.mediaDropped, 1);

  socket.bufferedAmount = 0;
  assert.equal(queue.pump(socket), 3);
  assert.deepEqual(names(socket), ['4:2', '2:3', 'raise_hand']);
  assert.equal(queue.length, 0);
});

test('nothing overtakes waiting control: audio behind it is dropped, control behind it waits', () => {
  const queue = new OutboundQueue();
  const socket = fakeSocket();
  socket.bufferedAmount = MAX_BUFFERED_BYTES + 1;
  queue.offer(socket, bundle(1));
  // The socket is under the mark again but nobody pumped yet: the offer pumps first.
  socket.bufferedAmount = 0;
  assert.equal(queue.offer(socket, media(2)), 'sent');
  assert.deepEqual(names(socket), ['4:1', '1:2']);

  // Congested half-way through the waiting control: the rest keeps its place.
  const slow = fakeSocket();
  const halting = new OutboundQueue({ maxBufferedBytes: 10 });
  slow.bufferedAmount = 11;
  halting.offer(slow, bundle(1));
  halting.offer(slow, bundle(2));
  slow.bufferedAmount = 0;
  slow.send = function send(data) { this.sent.push(data); this.bufferedAmount += 20; };
  assert.equal(halting.offer(slow, media(3)), 'dropped'); // bundle 1 went, bundle 2 still waits
  assert.equal(halting.offer(slow, json('late')), 'queued');
  slow.bufferedAmount = 0;
  halting.pump(slow);
  slow.bufferedAmount = 0;
  halting.pump(slow);
  assert.deepEqual(names(slow), ['4:1', '4:2', 'late']);
});

test('control past the queue bound reports overflow (reconnect) and is still not dropped', () => {
  const queue = new OutboundQueue({ maxBufferedBytes: 0, maxQueuedBytes: 5 });
  const socket = fakeSocket();
  socket.bufferedAmount = 1;
  assert.equal(queue.offer(socket, json('abc')), 'queued');
  assert.equal(queue.offer(socket, json('def')), 'overflow');
  assert.equal(queue.length, 2);
  queue.clear();
  assert.equal(queue.length, 0);
  assert.equal(queue.queuedBytes, 0);
});

test('a long congestion keeps memory bounded by what waits, and drains completely', () => {
  const queue = new OutboundQueue();
  const socket = fakeSocket();
  socket.bufferedAmount = MAX_BUFFERED_BYTES + 1;
  for (let i = 0; i < 5000; i += 1) queue.offer(socket, i % 10 === 0 ? json(`c${i}`) : media(i % 256));
  assert.equal(queue.length, 500);
  assert.equal(queue.stats.mediaDropped, 4500);
  socket.bufferedAmount = 0;
  queue.pump(socket);
  assert.equal(socket.sent.length, 500);
  assert.deepEqual(socket.sent.slice(0, 3), ['c0', 'c10', 'c20']);
  assert.equal(queue.queuedBytes, 0);
});
