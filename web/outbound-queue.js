// The worker's send policy for its WebSocket: a congested socket may lose audio, never control.
// A plain script (importScripts in the worker, require() in tests/web/unit), with no DOM or timers.
//
// Each message from StoaSession.takeOutbound() is {data, media}. Media (audio frames) is dropped
// while the socket holds more than maxBufferedBytes unsent: late audio is worthless, and a growing
// browser buffer only adds delay. Control (key bundles, key announcements, speaker signatures,
// JSON) is never dropped: while the socket is congested it waits here, in order, and nothing sent
// later overtakes it (audio offered behind waiting control is dropped, so a frame under a new key
// never leaves before the key bundle that carries that key). If the waiting control outgrows
// maxQueuedBytes the socket is not coming back; offer() says 'overflow' and the caller starts a
// new connection (which rejoins the room) rather than lose a control message.
(function (root) {
  'use strict';

  const MAX_BUFFERED_BYTES = 256 * 1024;
  const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

  function sizeOf(data) {
    return typeof data === 'string' ? data.length : data.byteLength;
  }

  class OutboundQueue {
    constructor({ maxBufferedBytes = MAX_BUFFERED_BYTES, maxQueuedBytes = MAX_QUEUED_BYTES } = {}) {
      this.maxBufferedBytes = maxBufferedBytes;
      this.maxQueuedBytes = maxQueuedBytes;
      this.waiting = [];
      this.head = 0;
      this.queuedBytes = 0;
      this.stats = { sent: 0, mediaDropped: 0, controlQueued: 0 };
    }

    // `socket` is anything with bufferedAmount and send(): a WebSocket, or a test's fake.
    congested(socket) {
      return socket.bufferedAmount > this.maxBufferedBytes;
    }

    get length() {
      return this.waiting.length - this.head;
    }

    // One message {data, media}: 'sent', 'queued' (control waits), 'dropped' (media) or
    // 'overflow' (queued, but the queue is past its bound: reconnect).
    offer(socket, message) {
      this.pump(socket);
      if (this.length === 0 && !this.congested(socket)) {
        socket.send(message.data);
        this.stats.sent += 1;
        return 'sent';
      }
      if (message.media) {
        this.stats.mediaDropped += 1;
        return 'dropped';
      }
      this.waiting.push(message.data);
      this.queuedBytes += sizeOf(message.data);
      this.stats.controlQueued += 1;
      return this.queuedBytes > this.maxQueuedBytes ? 'overflow' : 'queued';
    }

    // Sends waiting control, oldest first, while the socket has room. Returns how many went.
    pump(socket) {
      let sent = 0;
      while (this.length > 0 && !this.congested(socket)) {
        const data = this.waiting[this.head];
        this.waiting[this.head] = undefined;
        this.head += 1;
        this.queuedBytes -= sizeOf(data);
        socket.send(data);
        sent += 1;
      }
      this.stats.sent += sent;
      if (this.head > 0 && (this.length === 0 || this.head >= 1024)) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      return sent;
    }

    // A closed socket: what waited was for its session, which starts over on the next one.
    clear() {
      this.waiting = [];
      this.head = 0;
      this.queuedBytes = 0;
    }
  }

  const api = { OutboundQueue, MAX_BUFFERED_BYTES, MAX_QUEUED_BYTES };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.StoaOutbound = api;
})(typeof self !== 'undefined' ? self : globalThis);
