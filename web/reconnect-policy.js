// When and where the worker reconnects after losing its relay: a list of relay URLs tried in turn,
// exponential backoff with full jitter and a cap, and a bound on the whole outage after which the
// page says the room is lost. A plain script (importScripts in the worker, require() in
// tests/web/unit) with no timers, sockets or clock of its own: the caller passes `now` and may
// pass the random source.
//
// Every failed attempt (a socket that closed, or never opened) moves to the next URL, so a list
// of relays of one cluster is tried relay by relay; a round through the whole list doubles the
// backoff ceiling. The delay before an attempt is uniform in [0, ceiling) ("full jitter"), so the
// members of a room that lost the same relay do not all come back in the same instant.
(function (root) {
  'use strict';

  const MIN_DELAY_MS = 250;
  const MAX_DELAY_MS = 10000;
  const GIVE_UP_AFTER_MS = 60000; // the core gives up rejoining its room after as long

  class ReconnectPolicy {
    // urls: the relays' WebSocket URLs, the first tried first (at least one).
    constructor(urls, options = {}) {
      if (!Array.isArray(urls) || urls.length === 0 || urls.some((url) => typeof url !== 'string' || url === '')) {
        throw new TypeError('ReconnectPolicy needs a non-empty list of URLs');
      }
      this.urls = urls.slice();
      this.minDelayMs = options.minDelayMs ?? MIN_DELAY_MS;
      this.maxDelayMs = options.maxDelayMs ?? MAX_DELAY_MS;
      this.giveUpAfterMs = options.giveUpAfterMs ?? GIVE_UP_AFTER_MS;
      this.random = options.random ?? Math.random;
      this.index = 0;      // the URL of the current (or next) connection
      this.attempt = 0;    // failed attempts in this outage
      this.lostAt = null;  // when the outage began, null while connected
    }

    get url() {
      return this.urls[this.index];
    }

    // The outage so far, in ms (0 while connected).
    outageMs(now) {
      return this.lostAt === null ? 0 : Math.max(0, now - this.lostAt);
    }

    // A connection opened: the outage is over, and this URL is the one to come back to first.
    opened() {
      this.attempt = 0;
      this.lostAt = null;
    }

    // The backoff ceiling for the current attempt: doubles after each round through the list.
    ceilingMs() {
      const round = Math.floor(Math.max(0, this.attempt - 1) / this.urls.length);
      return Math.min(this.maxDelayMs, this.minDelayMs * 2 ** Math.min(round, 30));
    }

    // The connection closed or never opened. Returns {url, delayMs, attempt} for the next try, or
    // null once the outage has lasted giveUpAfterMs (the caller stops and says so).
    failed(now) {
      if (this.lostAt === null) this.lostAt = now;
      this.attempt += 1;
      this.index = (this.index + 1) % this.urls.length;
      const left = this.giveUpAfterMs - this.outageMs(now);
      if (left <= 0) return null;
      const delayMs = Math.min(this.random() * this.ceilingMs(), left);
      return { url: this.url, delayMs, attempt: this.attempt };
    }

    // The relay said it is going away and when to come back (relay_shutdown): wait that long, plus
    // up to one backoff step of jitter, then try the next relay in the list.
    shutdown(now, reconnectAfterMs) {
      const next = this.failed(now);
      if (next === null) return null;
      const asked = Number.isFinite(reconnectAfterMs) && reconnectAfterMs > 0 ? reconnectAfterMs : 0;
      const left = this.giveUpAfterMs - this.outageMs(now);
      next.delayMs = Math.min(Math.max(asked, this.minDelayMs) + next.delayMs, left);
      return next;
    }

    // Start again from the first URL with a fresh budget (the person asked to reconnect).
    reset() {
      this.index = 0;
      this.attempt = 0;
      this.lostAt = null;
    }
  }

  const api = { ReconnectPolicy, MIN_DELAY_MS, MAX_DELAY_MS, GIVE_UP_AFTER_MS };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.StoaReconnect = api;
})(typeof self !== 'undefined' ? self : globalThis);
