// The client's worker: owns the WebSocket, the core session (WebAssembly), its timers, and the
// audio paths to the playback and capture worklets, so the page's main thread only draws.
// Protocol with the page: docs/web-client.md.
/* global importScripts, createStoaCore, Stoa, StoaOutbound, StoaReconnect */
'use strict';

importScripts('stoa-core.js', 'stoa-session.js', 'outbound-queue.js', 'reconnect-policy.js');

const TICK_MS = 20;
const SPEAKING_EVERY_MS = 100;
const STATE_EVERY_MS = 500; // counters (frames sent, decrypted) refresh at least this often
// A connection still not open after this is given up (and the next relay tried): a blackholed
// address, or one the page's Content-Security-Policy blocks (Chromium then never closes it).
const CONNECT_TIMEOUT_MS = 5000;

let core = null;
let session = null;
let sessionOptions = null; // {context, decodeAudio}: to start a fresh session under the same identity
let socket = null;
// The relays, tried in turn with backoff and jitter when the connection is lost (reconnect-policy.js).
let relays = null;
let connection = 'connecting';
let reconnect = null; // {attempt, url} while the relay is lost; {attempt, url, gaveUp: true} once given up
// A core that rejoins its room by itself after a lost transport (client_config::rejoin_after_loss;
// its state has `rejoining`). An older core forgets the room, and the worker rejoins it (`wanted`).
let coreRejoins = false;
let wanted = null; // {room, invite, name, admission, host}: the room to be in, rejoined after a reconnect (older core)
let joinOnOpen = null; // a join the page asked for while the socket was down
let reconnectTimer = 0;
let connectTimer = 0;
let lastSpeaking = '';
let lastSpeakingAt = 0;
let lastStateAt = 0;
let playbackPort = null;
let capturePort = null;
// The Opus encoder module (stoa-encoder.wasm): fetched when the microphone starts or the member
// unmutes, never for a listener; until it is ready, microphone frames are not sent.
let encoder = null;
let encoderLoad = null;
let wantLive = false; // the page asked to unmute and has not asked to mute since
let pendingCreate = null; // {name} while a created room waits to be joined
// Past 256 KB unsent the socket is not keeping up: audio drops, control waits (outbound-queue.js).
const outbound = new StoaOutbound.OutboundQueue();
const frame = new Int16Array(Stoa.FRAME_SAMPLES);

const now = () => performance.now();

function post(message, transfer) { self.postMessage(message, transfer || []); }

function postState() {
  if (!session) return;
  lastStateAt = now();
  const state = session.state(lastStateAt);
  state.connection = connection;
  state.reconnect = reconnect;
  state.relay = relays ? relays.url : null;
  // An older core forgets the room when the socket drops: the worker knows what it will rejoin.
  if (!coreRejoins) state.rejoining = connection !== 'open' && wanted ? wanted.room : null;
  state.outbound = { mediaDropped: outbound.stats.mediaDropped, controlWaiting: outbound.length };
  post({ type: 'state', state });
}

function fail(message) {
  connection = 'closed';
  post({ type: 'event', event: { type: 'error', code: 0, name: 'client_unavailable', message } });
  post({ type: 'state', state: { connection, id: null, room: null, inRoom: false, role: 'listener', keys: false,
    epoch: null, securityCode: null, me: null, stage: [], audienceCount: 0, stats: {} } });
}

// Moves the session's messages to the socket, its events to the page; redraws on change.
function flush() {
  if (!session) return;
  const messages = session.takeOutbound();
  if (socket && socket.readyState === WebSocket.OPEN) {
    for (const message of messages) {
      if (outbound.offer(socket, message) === 'overflow') {
        // Control that cannot leave is never dropped: a new connection rejoins and starts clean.
        socket.close(4000, 'send queue overflow');
        break;
      }
    }
  }
  const events = session.takeEvents();
  let changed = false;
  for (const event of events) {
    changed = true;
    handleEvent(event);
    post({ type: 'event', event });
  }
  if (changed) postState();
}

function handleEvent(event) {
  switch (event.type) {
    case 'room_created':
      if (pendingCreate) {
        // The creator trusts its own key as the host's; the session remembers the room's secret.
        wanted = { room: event.room, invite: event.invite, name: pendingCreate.name,
          admission: event.admission ?? null, host: session.publicKey };
        pendingCreate = null;
        session.joinRoom(wanted);
      }
      break;
    case 'admission_changed':
    case 'keys_changed':
      // A rejoin after a dropped connection must prove the current secret, not the link's first one.
      if (wanted) wanted.admission = session.admissionSecret() ?? wanted.admission;
      break;
    case 'removed':
      // A connection carries one room for its life (docs/protocol.md): after leaving, being kicked
      // or the room ending, start a fresh connection so the member can join another room.
      if (event.reason !== 'disconnected') {
        wanted = null;
        freshConnection();
      }
      break;
    case 'rejoin_failed':
      wanted = null; // the core gave up on the room (it reports the reason); the page says it is lost
      break;
    case 'relay_shutdown':
      // The relay is draining: come back after the delay it asked for (to the next relay listed).
      retry(relays.shutdown(now(), event.reconnectAfterMs));
      break;
    default:
      break;
  }
}

function connect() {
  clearTimeout(reconnectTimer);
  reconnectTimer = 0;
  const url = relays.url;
  try {
    socket = new WebSocket(url);
  } catch (error) {
    // A URL the browser refuses outright (a config mistake): count it as a failed attempt.
    socket = null;
    post({ type: 'event', event: { type: 'error', code: 0, name: 'bad_request', message: `cannot open ${url}: ${error.message}` } });
    retry(relays.failed(now()));
    postState();
    return;
  }
  socket.binaryType = 'arraybuffer';
  const current = socket;
  clearTimeout(connectTimer);
  connectTimer = setTimeout(() => {
    // Not readyState: Chromium marks a socket its CSP blocked CLOSED, yet never fires close.
    if (current === socket && connection !== 'open') abandon(current);
  }, CONNECT_TIMEOUT_MS);
  socket.onopen = () => {
    if (current !== socket) return;
    clearTimeout(connectTimer);
    connection = 'open';
    reconnect = null;
    relays.opened();
    session.connected(now());
    // A newer core rejoins (or re-creates) its room by itself after the handshake.
    if (!coreRejoins && wanted) session.joinRoom(wanted);
    if (joinOnOpen) session.joinRoom(joinOnOpen);
    joinOnOpen = null;
    flush();
    postState();
  };
  socket.onmessage = (message) => {
    if (current !== socket) return;
    session.receive(message.data, now());
    flush();
  };
  socket.onclose = () => {
    if (current === socket) lost();
  };
}

// The current socket closed, or never opened.
function lost() {
  clearTimeout(connectTimer);
  socket = null;
  outbound.clear();
  if (!coreRejoins) rememberTrust();
  session.disconnected(now());
  // A relay_shutdown already set the time to come back; otherwise the next relay, after backoff.
  if (!reconnectTimer) retry(relays.failed(now()));
  flush();
  postState();
}

// Gives up on a socket that is not opening: it counts as lost, whatever it does later.
function abandon(current) {
  current.onopen = current.onmessage = current.onclose = null;
  try {
    current.close();
  } catch { /* closing a connecting socket cannot fail, but it must not stop the retry */ }
  if (current === socket) lost();
}

// A relay the page's Content-Security-Policy does not allow (connect-src): fail the attempt now
// rather than at the connect timeout.
self.addEventListener('securitypolicyviolation', (event) => {
  if (!socket || connection === 'open') return;
  try {
    if (new URL(event.blockedURI).host === new URL(socket.url).host) abandon(socket);
  } catch { /* not a URL: not ours */ }
});

// The next attempt of the policy's choosing, or the end of trying: the page then says the relay
// (and any room) is lost and offers to reconnect.
function retry(next) {
  clearTimeout(reconnectTimer);
  reconnectTimer = 0;
  if (next === null) {
    connection = 'closed';
    reconnect = { attempt: reconnect ? reconnect.attempt : 0, url: relays.url, gaveUp: true };
    wanted = null;
    post({ type: 'event', event: { type: 'relay_lost', attempts: reconnect.attempt } });
    return;
  }
  connection = 'reconnecting';
  reconnect = { attempt: next.attempt, url: next.url };
  scheduleReconnect(next.delayMs);
}

// The session forgets the room when the socket drops: keep what the rejoin must present again, the
// host key it trusted (so a relay cannot swap the host across a reconnect) and the current secret.
function rememberTrust() {
  if (!wanted || !session) return;
  wanted.host = session.trustedHost() ?? wanted.host;
  wanted.admission = session.admissionSecret() ?? wanted.admission;
}

function freshConnection() {
  if (!socket) return;
  const old = socket;
  socket = null; // its close is ours: no backoff, no 'reconnecting'
  old.onopen = old.onmessage = old.onclose = null;
  old.close(1000, 'left the room');
  outbound.clear();
  session.disconnected(now());
  connection = 'connecting';
  connect();
}

function scheduleReconnect(delayMs) {
  clearTimeout(reconnectTimer);
  reconnectTimer = setTimeout(() => {
    reconnectTimer = 0;
    connect();
  }, delayMs);
}

function tick() {
  if (!session) return;
  const t = now();
  session.tick(t);
  if (socket && socket.readyState === WebSocket.OPEN) outbound.pump(socket);
  flush();
  if (t - lastSpeakingAt >= SPEAKING_EVERY_MS) {
    lastSpeakingAt = t;
    const speaking = [...session.speaking()].map(([index, on]) => `${index}:${on ? 1 : 0}`).join(',');
    if (speaking !== lastSpeaking) {
      lastSpeaking = speaking;
      postState();
    }
  }
  if (t - lastStateAt >= STATE_EVERY_MS) postState();
}

// The playback worklet asks for `frames` 20 ms frames whenever its ring runs low.
function onPlaybackMessage(message) {
  const data = message.data;
  if (!session || data?.type !== 'need') return;
  const count = Math.min(Math.max(data.frames | 0, 0), 10);
  for (let i = 0; i < count; i += 1) {
    const pcm = session.pullAudio(now(), new Int16Array(Stoa.FRAME_SAMPLES));
    playbackPort.postMessage({ type: 'pcm', pcm }, [pcm.buffer]);
  }
}

// Loads the encoder in the background (listening goes on meanwhile); see encoderFailed.
function loadEncoder() {
  if (encoder || encoderLoad) return;
  encoderLoad = Stoa.StoaEncoder.load('stoa-encoder.wasm').then(
    (loaded) => { encoder = loaded; },
    (error) => { encoderFailed(`stoa-encoder.wasm: ${error.message}`); },
  ).finally(() => { encoderLoad = null; });
}

// Without an encoder nothing is sent. A member who asked to be live is muted again (so neither the
// room nor the page shows them live while silent) and the page is told, with `muted`, to close the
// microphone; every unmute without an encoder loads it again. A failed load while the member has
// not asked to be live (the one started with the microphone, before the unmute reaches here) is
// not reported: the unmute that follows tries again and reports its own failure.
function encoderFailed(message) {
  if (!wantLive) return;
  wantLive = false;
  if (session && session.state(now()).inRoom) {
    session.act({ type: 'set_self_muted', muted: true });
    flush();
  }
  post({ type: 'event', event: { type: 'error', code: 0, name: 'encoder_unavailable', message, muted: true } });
}

// The capture worklet posts 20 ms microphone frames; the core sends only what this member may send.
function onCaptureMessage(message) {
  const data = message.data;
  if (!session || data?.type !== 'pcm' || !(data.pcm instanceof Int16Array) || data.pcm.length !== frame.length) return;
  if (!encoder) return;
  frame.set(data.pcm);
  try {
    session.sendAudio(frame, now(), encoder);
  } catch (error) {
    // The encoder module failed (it cannot be made, or it trapped): drop it and say so once.
    const failed = encoder;
    encoder = null;
    try {
      failed.destroy();
    } catch { /* a trapped module is dropped whole */ }
    encoderFailed(error.message);
  }
  flush();
}

// The page's relay first, then the others it was given (docs/web-client.md, "Relays").
function relayUrls(options) {
  const urls = Array.isArray(options.urls) ? options.urls.filter((url) => typeof url === 'string' && url !== '') : [];
  if (typeof options.url === 'string' && options.url !== '' && !urls.includes(options.url)) urls.unshift(options.url);
  return urls;
}

// Forgets every room the session would rejoin or re-create, keeping the identity: the core has no
// way to stop a rejoin, so a member who stops waiting for a lost room gets a fresh session.
function freshSession() {
  const seed = session.seed();
  session.destroy();
  session = new Stoa.StoaSession(core, { seed, ...sessionOptions });
  seed.fill(0);
  wanted = null;
  joinOnOpen = null;
  if (socket) {
    const old = socket;
    socket = null;
    old.onopen = old.onmessage = old.onclose = null;
    old.close(1000, 'left the room');
    outbound.clear();
  }
  relays.reset();
  reconnect = null;
  connection = 'connecting';
  connect();
}

async function start(options) {
  const urls = relayUrls(options);
  try {
    relays = new StoaReconnect.ReconnectPolicy(urls);
    core = await createStoaCore();
    sessionOptions = { context: options.context, decodeAudio: true };
    session = new Stoa.StoaSession(core, { seed: options.seed || null, ...sessionOptions });
    coreRejoins = Object.prototype.hasOwnProperty.call(session.state(now()), 'rejoining');
  } catch (error) {
    fail(`the client could not start: ${error.message}`);
    return;
  }
  post({ type: 'identity', seed: session.seed(), id: session.id });
  postState();
  connect();
  setInterval(tick, TICK_MS);
}

self.onmessage = (message) => {
  const data = message.data || {};
  if (data.type === 'start') {
    start(data);
    return;
  }
  if (data.type === 'playback-port') {
    playbackPort = data.port;
    playbackPort.onmessage = onPlaybackMessage;
    return;
  }
  if (data.type === 'capture-port') {
    capturePort = data.port;
    capturePort.onmessage = onCaptureMessage;
    loadEncoder();
    return;
  }
  if (!session) return;
  try {
    switch (data.type) {
      case 'create-room':
        if (connection !== 'open') throw new Error('not connected to the relay yet');
        pendingCreate = { name: data.name || '' };
        session.createRoom({ kind: data.kind, stageOnly: !!data.stageOnly, title: data.title || '' });
        break;
      case 'join': {
        const request = { room: data.room, invite: data.invite || null, name: data.name || '',
          admission: data.admission || null, host: data.host || null };
        if (!coreRejoins) wanted = request; // joined on every open, this one included
        if (connection === 'open') session.joinRoom(request);
        else if (coreRejoins) joinOnOpen = request; // when the socket opens
        break;
      }
      case 'act':
        if (data.action?.type === 'leave') {
          wanted = null;
          // Out of the room already, waiting to get back in: stop waiting.
          const state = coreRejoins ? session.state(now()) : null;
          if (state && !state.inRoom && state.rejoining) {
            freshSession();
            postState();
            return;
          }
        }
        if (data.action?.type === 'set_self_muted') {
          wantLive = data.action.muted === false;
          if (wantLive) loadEncoder();
        }
        session.act(data.action);
        break;
      case 'reconnect':
        // After giving up: a fresh budget, starting again from the page's own relay.
        if (connection !== 'closed' || socket) return;
        relays.reset();
        reconnect = null;
        connection = 'connecting';
        connect();
        postState();
        return;
      case 'directory':
        session.requestDirectory(data.offset || 0, data.limit || 50);
        break;
      case 'audience':
        session.requestAudience(data.offset || 0, data.limit || 100);
        break;
      case 'reaction': {
        // Refusals are expected (tapping faster than the limit): reported as an event the page
        // may show quietly, never as a failure.
        const refused = session.sendReaction(String(data.name), now());
        if (refused) post({ type: 'event', event: { type: 'reaction_refused', name: data.name, reason: refused } });
        break;
      }
      default:
        return;
    }
  } catch (error) {
    // A malformed request from the page (bad link, unknown action): report, keep running.
    post({ type: 'event', event: { type: 'error', code: 0, name: 'bad_request', message: error.message } });
  }
  flush();
};
