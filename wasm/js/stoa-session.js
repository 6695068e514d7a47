// StoaSession: the typed JavaScript face of the core's client session (wasm/src/stoa_api.cpp).
// Runs wherever the core runs: the client's Web Worker, and Node for the glue's tests and the
// benchmark. Network bytes never throw here: the core turns bad input into `error` events.
// Programmer errors (wrong argument types) throw TypeError at once.
(function (root) {
  'use strict';

  const FRAME_SAMPLES = 960; // 20 ms at 48 kHz, mono

  // Mirrors stoa_status and action_code in wasm/src/stoa_api.cpp. Never renumber.
  const STATUS = Object.freeze({ ok: 0, badArgument: -1, unknownAction: -2 });
  // stoa_next_outbound: the payload kind in the low bits, or-ed with MEDIA for audio.
  const OUTBOUND = Object.freeze({ none: 0, text: 1, binary: 2, media: 4 });
  const CLIENT_ERRORS = Object.freeze({
    600: 'not_in_room', 601: 'not_on_stage', 602: 'muted', 603: 'no_sending_key',
    604: 'bad_media_payload', 605: 'wrong_state', 606: 'unknown_sender', 607: 'too_large',
    608: 'missing_admission_secret', 609: 'rejoin_timed_out', 610: 'unknown_reaction', 611: 'rate_limited',
  });
  // The emoji reactions (core/client/include/stoa/client/reaction.hpp): name -> the core's kind.
  const REACTIONS = Object.freeze({ thumbs_up: 1, heart: 2, laugh: 3, clap: 4, party: 5, raised_hand: 6 });
  const ACTIONS = Object.freeze({
    leave: 1, raise_hand: 3, lower_hand: 4, accept_invite: 5, decline_invite: 6,
    set_self_muted: 7, end_room: 8,
    invite_to_stage: 20, move_to_audience: 21, moderator_mute: 22, promote_moderator: 23,
    demote_moderator: 24, kick: 25, ban: 26,
  });
  const TARGETED = new Set(['invite_to_stage', 'move_to_audience', 'moderator_mute', 'promote_moderator',
    'demote_moderator', 'kick', 'ban']);
  const HEX_ID = /^[0-9a-f]+$/;

  class StoaError extends Error {
    constructor(code, message) {
      super(message);
      this.name = 'StoaError';
      this.code = code;
    }
  }

  function requireHex(value, digits, what) {
    if (typeof value !== 'string' || value.length !== digits || !HEX_ID.test(value)) {
      throw new TypeError(`${what} must be ${digits} lower-case hex digits`);
    }
  }

  // A status from the core's send path: null for ok, else the client_error's name.
  function reason(status) {
    if (status === STATUS.ok) return null;
    if (status === STATUS.badArgument) return 'bad_argument';
    return CLIENT_ERRORS[-status] ?? `error_${-status}`;
  }

  // Mirrors stoa_encoder_status and the audio_error codes (core/audio/errors.hpp) the encoder
  // module returns negated.
  const AUDIO_ERRORS = Object.freeze({
    400: 'invalid_argument', 401: 'wrong_frame_size', 402: 'buffer_too_small', 407: 'codec_internal_error',
    408: 'codec_unimplemented', 409: 'codec_invalid_state', 410: 'codec_alloc_failed', 411: 'codec_unknown_error',
  });

  // The Opus encoder module (stoa-encoder.wasm, wasm/src/encoder_api.cpp), which only a member who
  // unmutes downloads. A standalone module: its few imports are the C library's exits, which end
  // the module (an error thrown here, reported by the caller), never the page.
  class StoaEncoder {
    // `source`: the module's URL (fetched), or its bytes (an ArrayBuffer or typed array, as Node's
    // tests pass them). Rejects with a StoaError when it cannot be fetched or instantiated.
    static async load(source) {
      let bytes = source;
      if (typeof source === 'string' || (typeof URL !== 'undefined' && source instanceof URL)) {
        const response = await fetch(source);
        if (!response.ok) throw new StoaError(response.status, `${source}: HTTP ${response.status}`);
        bytes = await response.arrayBuffer();
      }
      let exports = null;
      const EBADF = 8; // WASI errno: the module has no files, only the C library's stderr
      const imports = {
        wasi_snapshot_preview1: {
          proc_exit: (code) => { throw new StoaError(STATUS.badArgument, `the encoder module exited (${code})`); },
          // stderr (an abort's message) goes to the console: fd_write(fd, iovs, count, written*).
          fd_write: (fd, iovs, count, writtenPtr) => {
            const view = new DataView(exports.memory.buffer);
            let text = '';
            let written = 0;
            for (let i = 0; i < count; i += 1) {
              const base = view.getUint32(iovs + 8 * i, true);
              const length = view.getUint32(iovs + 8 * i + 4, true);
              text += String.fromCharCode(...new Uint8Array(exports.memory.buffer, base, length));
              written += length;
            }
            if (fd === 1 || fd === 2) console.warn(`stoa-encoder: ${text}`);
            view.setUint32(writtenPtr, written, true);
            return 0;
          },
          fd_close: () => EBADF,
          fd_seek: () => EBADF,
        },
      };
      const { instance } = await WebAssembly.instantiate(bytes, imports);
      exports = instance.exports;
      if (instance.exports._initialize) instance.exports._initialize();
      return new StoaEncoder(instance.exports);
    }

    constructor(exports) {
      this.exports = exports;
      this.handle = 0;
      this.constantRate = null; // the mode the current encoder was made for
      this.bitrate = 0;
    }

    // Encodes one Int16Array(960) frame in the mode given (the session's: {constantRate, bitrate,
    // maxBytes}); the encoder is made again when the mode changes, as the core's own would be.
    // Returns a copy of the packet. Throws a StoaError when the encoder cannot be made or fails.
    encode(pcm, { constantRate, bitrate, maxBytes }) {
      if (!(pcm instanceof Int16Array) || pcm.length !== FRAME_SAMPLES) throw new TypeError('pcm must be an Int16Array(960)');
      const e = this.exports;
      if (this.handle && (this.constantRate !== constantRate || this.bitrate !== bitrate)) this.destroy();
      if (!this.handle) {
        this.handle = e.stoa_encoder_create(bitrate, constantRate ? 1 : 0);
        if (!this.handle) throw new StoaError(STATUS.badArgument, `cannot make an Opus encoder at ${bitrate} b/s`);
        this.constantRate = constantRate;
        this.bitrate = bitrate;
      }
      const memory = e.memory.buffer; // fixed size: never detached by growth
      new Int16Array(memory, e.stoa_encoder_pcm(this.handle), FRAME_SAMPLES).set(pcm);
      const size = e.stoa_encoder_encode(this.handle, maxBytes);
      if (size < 0) throw new StoaError(size, `Opus encoding failed: ${AUDIO_ERRORS[-size] ?? `error ${-size}`}`);
      return new Uint8Array(memory, e.stoa_encoder_packet(this.handle), size).slice();
    }

    destroy() {
      if (this.handle) this.exports.stoa_encoder_destroy(this.handle);
      this.handle = 0;
      this.constantRate = null;
    }
  }

  class StoaSession {
    // `core` is the instantiated module (createStoaCore()). `seed` is a Uint8Array(32) from
    // storage or null for a new identity; `context` names the relay in the auth signature.
    constructor(core, { seed = null, context = 'stoa relay', decodeAudio = true } = {}) {
      if (seed !== null && !(seed instanceof Uint8Array && seed.length === 32)) {
        throw new TypeError('seed must be a Uint8Array of 32 bytes or null');
      }
      this.core = core;
      this.scratch = 0;
      this.scratchSize = 0;
      this.audio = core._malloc(FRAME_SAMPLES * 2);
      const seedPtr = seed ? this.bytesIn(seed) : 0;
      const contextPtr = this.stringIn(String(context));
      this.handle = core._stoa_create(seedPtr, contextPtr, decodeAudio ? 1 : 0);
      if (seedPtr) {
        core.HEAPU8.fill(0, seedPtr, seedPtr + 32);
        core._free(seedPtr);
      }
      core._free(contextPtr);
      if (!this.handle) throw new StoaError(STATUS.badArgument, 'the core could not create a session (no secure randomness?)');
    }

    get id() { return this.string(this.core._stoa_member_id(this.handle)); }
    // This member's public key (64 hex digits): a host's invite links carry it.
    get publicKey() { return this.string(this.core._stoa_public_key(this.handle)); }
    // A closed room's current admission secret (64 hex digits) for invite links, or null.
    admissionSecret() { return this.string(this.core._stoa_admission_secret(this.handle)) || null; }
    // The host key this member trusts for its room (64 hex digits), or null.
    trustedHost() { return this.string(this.core._stoa_trusted_host(this.handle)) || null; }

    // The identity's secret seed, to keep in IndexedDB so the member stays the same person.
    seed() {
      const out = this.core._malloc(32);
      this.core._stoa_seed(this.handle, out);
      const seed = this.core.HEAPU8.slice(out, out + 32);
      this.core.HEAPU8.fill(0, out, out + 32);
      this.core._free(out);
      return seed;
    }

    connected(nowMs) { this.core._stoa_connected(this.handle, nowMs); }
    disconnected(nowMs) { this.core._stoa_disconnected(this.handle, nowMs); }
    tick(nowMs) { this.core._stoa_tick(this.handle, nowMs); }

    // A WebSocket message: a string (text) or an ArrayBuffer / typed array (binary).
    receive(data, nowMs) {
      if (typeof data === 'string') {
        const size = this.core.lengthBytesUTF8(data);
        const ptr = this.ensureScratch(size + 1);
        this.core.stringToUTF8(data, ptr, size + 1);
        this.core._stoa_receive_text(this.handle, ptr, size, nowMs);
        return;
      }
      const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer ?? data, data.byteOffset ?? 0, data.byteLength);
      const ptr = this.ensureScratch(bytes.length);
      this.core.HEAPU8.set(bytes, ptr);
      this.core._stoa_receive_binary(this.handle, ptr, bytes.length, nowMs);
    }

    // Messages for the WebSocket, in order: {data, media}, data a string (text) or a Uint8Array
    // (binary). `media` marks audio, the only messages a congested socket may drop; the rest (key
    // bundles, announcements, signatures, JSON) are control and must all arrive, in order.
    takeOutbound() {
      const out = [];
      for (let kind; (kind = this.core._stoa_next_outbound(this.handle)) !== OUTBOUND.none;) {
        const ptr = this.core._stoa_buffer_data(this.handle);
        const size = this.core._stoa_buffer_size(this.handle);
        const data = (kind & 3) === OUTBOUND.text ? this.core.UTF8ToString(ptr, size) : this.core.HEAPU8.slice(ptr, ptr + size);
        out.push({ data, media: (kind & OUTBOUND.media) !== 0 });
      }
      return out;
    }

    takeEvents() { return JSON.parse(this.string(this.core._stoa_take_events(this.handle))); }
    state(nowMs) { return JSON.parse(this.string(this.core._stoa_state(this.handle, nowMs))); }

    // Sender index -> speaking, for the stage: cheap enough to poll for indicators.
    speaking() {
      const text = this.string(this.core._stoa_speaking(this.handle));
      const speaking = new Map();
      if (text) {
        for (const pair of text.split(',')) {
          const [index, flag] = pair.split(':');
          speaking.set(Number(index), flag === '1');
        }
      }
      return speaking;
    }

    createRoom({ kind = 'open', stageOnly = false, title = '' } = {}) {
      if (kind !== 'open' && kind !== 'closed') throw new TypeError('kind must be "open" or "closed"');
      const titlePtr = this.stringIn(String(title));
      const status = this.core._stoa_create_room(this.handle, kind === 'open' ? 0 : 1, stageOnly ? 1 : 0, titlePtr);
      this.core._free(titlePtr);
      this.check(status, 'createRoom');
    }

    // `invite` (the relay's gate), `admission` (a closed room's secret) and `host` (the host's
    // public key) come from the link's fragment: 64 hex digits each, or null when it has none.
    joinRoom({ room, invite = null, name = '', admission = null, host = null }) {
      requireHex(room, 32, 'room');
      if (invite !== null) requireHex(invite, 64, 'invite');
      if (admission !== null) requireHex(admission, 64, 'admission');
      if (host !== null) requireHex(host, 64, 'host');
      const roomPtr = this.stringIn(room);
      const invitePtr = invite ? this.stringIn(invite) : 0;
      const namePtr = this.stringIn(String(name));
      const admissionPtr = admission ? this.stringIn(admission) : 0;
      const hostPtr = host ? this.stringIn(host) : 0;
      const status = this.core._stoa_join_room(this.handle, roomPtr, invitePtr, namePtr, admissionPtr, hostPtr);
      this.core._free(roomPtr);
      if (invitePtr) this.core._free(invitePtr);
      this.core._free(namePtr);
      if (admissionPtr) {
        this.core.HEAPU8.fill(0, admissionPtr, admissionPtr + 65);
        this.core._free(admissionPtr);
      }
      if (hostPtr) this.core._free(hostPtr);
      this.check(status, 'joinRoom');
    }

    // {type: 'raise_hand'}, {type: 'set_self_muted', muted}, {type: 'leave', quietly},
    // {type: 'kick', target}, ... (docs/web-client.md).
    act(action) {
      const type = action?.type;
      let code = ACTIONS[type];
      if (type === 'leave' && action.quietly) code = 2;
      if (code === undefined) throw new TypeError(`unknown action ${JSON.stringify(type)}`);
      let targetPtr = 0;
      if (TARGETED.has(type)) {
        requireHex(action.target, 32, 'target');
        targetPtr = this.stringIn(action.target);
      }
      const flag = type === 'set_self_muted' ? (action.muted === false ? 0 : 1) : 0;
      const status = this.core._stoa_act(this.handle, code, targetPtr, flag);
      if (targetPtr) this.core._free(targetPtr);
      this.check(status, type);
    }

    requestDirectory(offset = 0, limit = 50) { this.core._stoa_request_directory(this.handle, offset >>> 0, limit >>> 0); }
    requestAudience(offset = 0, limit = 100) { this.core._stoa_request_audience(this.handle, offset >>> 0, limit >>> 0); }

    // An emoji reaction by name (REACTIONS), sealed for the room by the core. Returns null when
    // sent, or why not ('rate_limited', 'no_sending_key', 'not_in_room', 'unknown_reaction').
    sendReaction(name, nowMs) {
      const kind = Object.prototype.hasOwnProperty.call(REACTIONS, name) ? REACTIONS[name] : 0;
      if (kind === 0) return 'unknown_reaction';
      return reason(this.core._stoa_send_reaction(this.handle, kind, nowMs));
    }

    // One 20 ms microphone frame (Int16Array(960)), encoded by `encoder` (a StoaEncoder, loaded
    // when the member unmutes) as the room's current mode asks. Returns null when sent (or
    // skipped as silence), or why not ('not_on_stage', 'muted', 'no_sending_key', ...): expected
    // states, not exceptions. Nothing is encoded while the answer is no, as in the core.
    sendAudio(pcm, nowMs, encoder) {
      if (!(pcm instanceof Int16Array) || pcm.length !== FRAME_SAMPLES) throw new TypeError('pcm must be an Int16Array(960)');
      if (!(encoder instanceof StoaEncoder)) throw new TypeError('encoder must be a StoaEncoder');
      const refused = this.core._stoa_can_send(this.handle, nowMs);
      if (refused !== STATUS.ok) return reason(refused);
      const packet = encoder.encode(pcm, {
        constantRate: this.core._stoa_constant_rate(this.handle) === 1,
        bitrate: this.core._stoa_send_bitrate(this.handle),
        maxBytes: this.core._stoa_max_opus_packet(this.handle),
      });
      return this.sendOpus(packet, nowMs);
    }

    // One 20 ms frame already encoded (Uint8Array): null when sent or skipped as silence, or why not.
    sendOpus(packet, nowMs) {
      if (!(packet instanceof Uint8Array)) throw new TypeError('packet must be a Uint8Array');
      const ptr = this.ensureScratch(Math.max(packet.length, 1));
      this.core.HEAPU8.set(packet, ptr);
      return reason(this.core._stoa_send_opus(this.handle, ptr, packet.length, nowMs));
    }

    // The next 20 ms of the room's mix into `out` (Int16Array(960)); returns `out`.
    pullAudio(nowMs, out = new Int16Array(FRAME_SAMPLES)) {
      this.core._stoa_pull_audio(this.handle, nowMs, this.audio);
      out.set(this.core.HEAP16.subarray(this.audio >> 1, (this.audio >> 1) + FRAME_SAMPLES));
      return out;
    }

    destroy() {
      if (!this.handle) return;
      this.core._stoa_destroy(this.handle);
      this.core._free(this.audio);
      if (this.scratch) this.core._free(this.scratch);
      this.handle = 0;
    }

    // ---- internals ----
    check(status, what) {
      if (status !== STATUS.ok) throw new StoaError(status, `${what}: ${status === STATUS.unknownAction ? 'unknown action' : 'bad argument'}`);
    }
    string(ptr) { return this.core.UTF8ToString(ptr, this.core._stoa_buffer_size(this.handle)); }
    stringIn(text) {
      const size = this.core.lengthBytesUTF8(text) + 1;
      const ptr = this.core._malloc(size);
      this.core.stringToUTF8(text, ptr, size);
      return ptr;
    }
    bytesIn(bytes) {
      const ptr = this.core._malloc(bytes.length);
      this.core.HEAPU8.set(bytes, ptr);
      return ptr;
    }
    ensureScratch(size) {
      if (size > this.scratchSize) {
        if (this.scratch) this.core._free(this.scratch);
        this.scratchSize = Math.max(size, 2 * this.scratchSize, 4096);
        this.scratch = this.core._malloc(this.scratchSize);
      }
      return this.scratch;
    }
  }

  const api = { StoaSession, StoaEncoder, StoaError, ACTIONS, STATUS, OUTBOUND, CLIENT_ERRORS, REACTIONS, FRAME_SAMPLES };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.Stoa = api;
})(typeof self !== 'undefined' ? self : globalThis);
