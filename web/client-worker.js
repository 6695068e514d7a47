// The client's worker: owns the WebSocket, the core session (WebAssembly), its timers, and the
// audio paths to the playback and capture worklets, so the page's main thread only draws.
// Protocol with the page: docs/web-client.md.
/* global importScripts, createStoaCore, Stoa, StoaOutbound */
'use strict';

importScripts('stoa-core.js', 'stoa-session.js', 'outbound-queue.js');

const TICK_MS = 20;
const SPEAKING_EVERY_MS = 100;
const STATE_EVERY_MS = 500; // counters (frames sent, decrypted) refresh at least this often
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10000;

let session = null;
let socket = null;
let url = '';
let connection = 'connecting';
let wanted = null; // {room, invite, name, admission, host}: the room to be in, rejoined after a reconnect
let reconnectAttempts = 0;
let reconnectTimer = 0;
let lastSpeaking = '';
let lastSpeakingAt = 0;
let lastStateAt = 0;
let playbackPort = null;
let capturePort = null;
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
    case 'relay_shutdown':
      connection = 'reconnecting';
      scheduleReconnect(Math.max(event.reconnectAfterMs, RECONNECT_MIN_MS));
      break;
    default:
      break;
  }
}

function connect() {
  clearTimeout(reconnectTimer);
  reconnectTimer = 0;
  try {
    socket = new WebSocket(url);
  } catch (error) {
    fail(`cannot open ${url}: ${error.message}`);
    return;
  }
  socket.binaryType = 'arraybuffer';
  const current = socket;
  socket.onopen = () => {
    if (current !== socket) return;
    connection = 'open';
    reconnectAttempts = 0;
    session.connected(now());
    if (wanted) session.joinRoom(wanted);
    flush();
    postState();
  };
  socket.onmessage = (message) => {
    if (current !== socket) return;
    session.receive(message.data, now());
    flush();
  };
  socket.onclose = () => {
    if (current !== socket) return;
    socket = null;
    outbound.clear();
    rememberTrust();
    session.disconnected(now());
    if (connection !== 'reconnecting' || !reconnectTimer) {
      connection = 'reconnecting';
      // Exponential backoff with full jitter, so a restarted relay is not hit by everyone at once.
      const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** reconnectAttempts);
      reconnectAttempts += 1;
      scheduleReconnect(RECONNECT_MIN_MS / 2 + Math.random() * ceiling);
    }
    flush();
    postState();
  };
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

// The capture worklet posts 20 ms microphone frames; the core sends only what this member may send.
function onCaptureMessage(message) {
  const data = message.data;
  if (!session || data?.type !== 'pcm' || !(data.pcm instanceof Int16Array) || data.pcm.length !== frame.length) return;
  frame.set(data.pcm);
  session.sendAudio(frame, now());
  flush();
}

async function start(options) {
  url = options.url;
  try {
    const core = await createStoaCore();
    session = new Stoa.StoaSession(core, { seed: options.seed || null, context: options.context, decodeAudio: true });
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
      case 'join':
        wanted = { room: data.room, invite: data.invite || null, name: data.name || '',
          admission: data.admission || null, host: data.host || null };
        if (connection === 'open') session.joinRoom(wanted); // otherwise when the socket opens
        break;
      case 'act':
        if (data.action?.type === 'leave') wanted = null;
        session.act(data.action);
        break;
      case 'directory':
        session.requestDirectory(data.offset || 0, data.limit || 50);
        break;
      case 'audience':
        session.requestAudience(data.offset || 0, data.limit || 100);
        break;
      default:
        return;
    }
  } catch (error) {
    // A malformed request from the page (bad link, unknown action): report, keep running.
    post({ type: 'event', event: { type: 'error', code: 0, name: 'bad_request', message: error.message } });
  }
  flush();
};
