// The page: renders what the client worker reports and turns taps into worker messages
// (docs/web-client.md). Decisions live in lib/ (pure, tested); this file only wires the DOM, the
// worker and the audio graph together.

import { parseRoomLink, formatRoomHash, linkProblem, relayUrl } from "./lib/link.js";
import { buildView, announcements } from "./lib/view-model.js";
import { relaysFromConfig, relaysFromFragment, relayList } from "./lib/relays.js";
import { errorMessage, removalMessage, refusesJoin } from "./lib/errors.js";
import { normalizeOwnName, defaultName, cleanText, shortId } from "./lib/names.js";
import { validateNewRoom, MAX_TITLE_BYTES } from "./lib/room-form.js";
import { securityAlarmMessage, speakerAlarmMessage, ADMISSION_CHANGED } from "./lib/alarms.js";
import { loadSeed, saveSeed } from "./identity-store.js";

const DIRECTORY_PAGE = 20;
const AUDIENCE_PAGE = 50;
const DIRECTORY_COOLDOWN_MS = 1100;   // the relay allows about one directory request a second
const AUDIENCE_REFRESH_DELAY_MS = 800;
const CLIENT_LOAD_TIMEOUT_MS = 20000;
const REQUEST_TIMEOUT_MS = 15000;
const CONFIG_TIMEOUT_MS = 3000;       // config.json is optional: a slow one must not hold the start
const NAME_KEY = "stoa.displayName";

// The object the end-to-end tests read (docs/web-client.md, "Hooks for the end-to-end tests").
const app = { state: null, events: [], audioContext: null, audioOutput: null };
window.stoaApp = app;

const local = {
  worker: null,
  identity: null,
  failed: null,                 // {name} once the client could not load
  removed: null,                // {reason} until dismissed
  rejoining: null,              // {room} while the worker rejoins after a dropped connection (older core)
  linkRelays: [],               // relay URLs from the link's `relays=` field, handed on in room links
  quietUntil: 0,
  endingRoom: false,            // this member asked to end the room                // errors from cancelling a rejoin are expected, not shown
  rooms: new Map(),             // room id -> {title, kind, invite, stageOnly}
  pendingCreate: null,          // {localTitle, kind, stageOnly}
  pendingJoin: null,            // {room, invite, admission, host}
  alarms: [],                   // [{text, kind}]: what the end-to-end checks caught, until dismissed
  linkChanged: false,           // the closed room's secret rotated: links shared before are void
  requestTimer: 0,
  inviteSeen: false,            // invited_to_stage arrived; the prompt shows until answered
  audiencePage: null,
  audienceOffset: 0,
  audienceTimer: 0,
  directory: { offset: 0, requestedOffset: 0, total: 0, rooms: [], loaded: false, cooling: false, asked: false },
  relayNotice: "",
};

const audio = {
  context: null,
  playback: null,               // Promise of the playback chain
  gain: null,
  paused: false,                // paused from the system media controls
  failed: false,
  captureNode: null,            // kept for the page's lifetime: its port went to the worker once
  capturing: null,              // Promise while the microphone is being set up
  stream: null,
  source: null,
};

const $ = (id) => document.getElementById(id);

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function show(element, visible) {
  if (element.hidden === visible) element.hidden = !visible;
}

// ---- announcements and errors ----

const recentAnnouncements = new Map();
let announceQueue = [];
let announceTimer = 0;

function announce(text) {
  const now = Date.now();
  if ((recentAnnouncements.get(text) ?? 0) > now - 2000) return;  // state and event may both say it
  recentAnnouncements.set(text, now);
  announceQueue.push(text);
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    if (announceQueue.length === 0) return;
    const text = announceQueue.join(" ");
    announceQueue = [];
    const status = $("status");
    status.textContent = "";
    // Clearing first makes a repeated sentence announce again. Timers, not animation frames, so a
    // background tab still updates its live region.
    setTimeout(() => { status.textContent = text; }, 50);
  }, 80);
}

// The same message again within a few seconds is not re-announced (a worker reporting a burst of
// identical failures must not flood a screen reader).
let lastAlert = { text: "", at: 0 };
function setAlert(text) {
  const now = Date.now();
  if (text === lastAlert.text && now - lastAlert.at < 5000 && $("error").textContent === text) return false;
  lastAlert = { text, at: now };
  $("error").textContent = text;
  show($("dismiss-error"), true);
  return true;
}

function showError(error, prefix = "") {
  const text = (prefix ? `${prefix} ` : "") + errorMessage(error);
  if (!setAlert(text)) return;
  const element = $("error");
  element.dataset.errorName = error.name ?? "";
  element.dataset.errorCode = Number.isInteger(error.code) ? String(error.code) : "";
}

function clearError() {
  const element = $("error");
  element.textContent = "";
  delete element.dataset.errorName;
  delete element.dataset.errorCode;
  show($("dismiss-error"), false);
}

// Security alarms stay listed (each once) in their own alert region until dismissed or a new
// room is entered: unlike errors, a later message must not push them out of sight.
function addAlarm(text, kind) {
  if (local.alarms.some((alarm) => alarm.text === text)) return;
  local.alarms.push({ text, kind });
  if (local.alarms.length > 8) local.alarms.shift();
  scheduleRender();
}

function clearAlarms() {
  local.alarms = [];
  scheduleRender();
}

function renderAlarms() {
  const list = $("security-alarms");
  const key = JSON.stringify(local.alarms);
  if (list.dataset.key !== key) {
    list.dataset.key = key;
    list.replaceChildren(...local.alarms.map((alarm) => {
      const item = document.createElement("p");
      item.className = "alarm-text";
      item.dataset.testid = "security-alarm";
      item.dataset.kind = alarm.kind;
      item.textContent = alarm.text;
      return item;
    }));
  }
  show($("alarm-region"), local.alarms.length > 0);
}

// ---- confirmation before acts that cannot be undone ----

// Resolves true when the person confirms. An in-page modal dialog (keyboard and screen-reader
// friendly, and testable), or window.confirm where <dialog> is missing.
function confirmAction({ title, text, confirm }) {
  const dialog = $("confirm-dialog");
  if (typeof dialog.showModal !== "function") return Promise.resolve(window.confirm(`${title}\n\n${text}`));
  if (dialog.open) return Promise.resolve(false);
  setText($("confirm-title"), title);
  setText($("confirm-text"), text);
  setText($("confirm-yes"), confirm);
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
    dialog.showModal();
    $("confirm-no").focus();  // the safe choice has focus: Enter does not kick anyone by accident
  });
}

const CONFIRMATIONS = {
  kick: (name, closed) => ({
    title: `Kick ${name}?`,
    text: closed
      ? `${name} leaves the room now. This closed room's invitation link changes, so links you shared before stop working.`
      : `${name} leaves the room now. They can come back with the link unless you ban them.`,
    confirm: "Yes, kick",
  }),
  ban: (name) => ({
    title: `Ban ${name}?`,
    text: `${name} leaves the room now and cannot come back to this room.`,
    confirm: "Yes, ban",
  }),
};

// ---- the worker ----

function post(message, transfer) {
  if (!local.worker) return false;
  try {
    local.worker.postMessage(message, transfer ?? []);
    return true;
  } catch {
    showError({ name: "client_crashed" });
    return false;
  }
}

function act(action) {
  return post({ type: "act", action });
}

function failClient(name) {
  local.failed = { name };
  showError({ name });
  scheduleRender();
}

async function startClient() {
  let worker;
  try {
    worker = new Worker("client-worker.js");
  } catch {
    failClient("client_unavailable");
    return;
  }
  local.worker = worker;
  worker.addEventListener("error", (event) => {
    event.preventDefault();  // reported on the page instead
    if (!local.identity) failClient("client_unavailable");
    else showError({ name: "client_crashed" });
  });
  worker.addEventListener("messageerror", () => showError({ name: "client_crashed" }));
  worker.addEventListener("message", (event) => onWorkerMessage(event.data));
  const loadTimer = setTimeout(() => { if (!local.identity) failClient("client_unavailable"); }, CLIENT_LOAD_TIMEOUT_MS);
  const [seed, config] = await Promise.all([loadSeed(), loadConfig()]);
  // This page's relay first, then the configured ones, then the link's (docs/web-client.md, "Relays").
  const secure = location.protocol === "https:";
  local.linkRelays = relaysFromFragment(location.hash, { secure });
  const urls = relayList(relayUrl(location), relaysFromConfig(config, { secure }), local.linkRelays);
  if (!post({ type: "start", seed, url: urls[0], urls, context: location.origin })) clearTimeout(loadTimer);
}

// The web root's optional config.json ({"relays": [...]}); null when absent, slow or malformed.
async function loadConfig() {
  try {
    const reply = await fetch("config.json", { cache: "no-store", signal: AbortSignal.timeout(CONFIG_TIMEOUT_MS) });
    return reply.ok ? await reply.json() : null;
  } catch {
    return null;
  }
}

function onWorkerMessage(message) {
  if (!message || typeof message !== "object") return;
  switch (message.type) {
    case "identity":
      local.identity = message.id ?? "";
      if (local.failed && local.failed.name === "client_unavailable") {
        local.failed = null;
        clearError();
      }
      saveSeed(message.seed).then((stored) => {
        if (!stored) announce(errorMessage({ name: "storage_unavailable" }));
      });
      scheduleRender();
      break;
    case "state":
      if (message.state && typeof message.state === "object") onState(message.state);
      break;
    case "event":
      if (message.event && typeof message.event === "object") {
        app.events.push(message.event);
        onEvent(message.event);
      }
      break;
    default:
      break;
  }
}

function onState(next) {
  const previous = app.state;
  app.state = next;
  if (local.identity === null && next.id) local.identity = next.id;
  for (const sentence of announcements(previous, next)) announce(sentence);

  const wasIn = Boolean(previous && previous.inRoom);
  if (!wasIn && next.inRoom) enteredRoom(next);
  if (wasIn && !next.inRoom) leftRoom();
  if (next.inRoom) {
    if (wasIn) updateAddressBar(next);
    const privileged = next.role === "host" || next.role === "moderator";
    const wasPrivileged = wasIn && (previous.role === "host" || previous.role === "moderator");
    if (privileged && (!wasPrivileged || previous.audienceCount !== next.audienceCount)) scheduleAudienceRefresh(!wasPrivileged);
    if (!privileged) local.audiencePage = null;
    if (previous && previous.me && previous.me.invited && !(next.me && next.me.invited)) local.inviteSeen = false;
    if (wasIn && previous.role !== next.role) local.inviteSeen = false;
    if (next.role === "listener") stopMicrophone();
  }
  askForDirectoryIfWanted(next);
  if (next.connection === "open") local.relayNotice = "";
  applyMicrophoneGate();
  scheduleRender();
}

function enteredRoom(state) {
  clearTimeout(local.requestTimer);
  local.pendingCreate = null;
  local.pendingJoin = null;
  local.removed = null;
  local.rejoining = null;
  local.audiencePage = null;
  local.audienceOffset = 0;
  local.linkChanged = false;
  updateAddressBar(state);
  updateMediaSession();
}

// While in a room the address bar holds its current link (a reload rejoins from it): the host's
// key once known, and a closed room's secret as it rotates.
function updateAddressBar(state) {
  const info = local.rooms.get(state.room);
  const hash = formatRoomHash(state.room, info ? info.invite : null,
    { admission: state.admission ?? null, host: state.hostKey ?? null, relays: local.linkRelays });
  if (location.hash === hash) return;
  try {
    history.replaceState(null, "", hash);
  } catch { /* the address bar is a convenience */ }
}

function leftRoom() {
  stopMicrophone();
  local.audiencePage = null;
  local.inviteSeen = false;
  clearTimeout(local.audienceTimer);
  // Out of the room because the relay was lost: the link stays, so a reload still finds the room.
  if (!(app.state && app.state.rejoining)) {
    try {
      history.replaceState(null, "", location.pathname + location.search);
    } catch { /* as above */ }
  }
  if ("mediaSession" in navigator) navigator.mediaSession.metadata = null;
  local.directory.loaded = false;
  local.directory.asked = false;
  show($("link-note"), false);
}

function onEvent(event) {
  switch (event.type) {
    case "room_created": {
      const closed = Boolean(event.invite || event.admission);
      const pending = local.pendingCreate ?? { localTitle: "", kind: closed ? "closed" : "open", stageOnly: false };
      local.rooms.set(event.room, {
        title: pending.localTitle, kind: pending.kind, invite: event.invite ?? null, stageOnly: pending.stageOnly,
      });
      break;
    }
    case "joined":
      clearError();
      if (!local.rooms.has(event.room)) local.rooms.set(event.room, { title: null, kind: null, invite: null, stageOnly: false });
      break;
    case "invited_to_stage":
      local.inviteSeen = true;
      announce("You have been invited to speak. Accept or decline.");
      break;
    case "removed":
      local.inviteSeen = false;
      stopMicrophone();
      if (event.reason === "disconnected" && local.removed && local.removed.reason === "room_lost") {
        // The core gave up rejoining (rejoin_failed came first and said so).
      } else if (event.reason === "disconnected" && app.state && app.state.room) {
        // The session forgets the room when the socket drops and the worker joins it again on
        // reconnect: show that, not a removal.
        local.rejoining = { room: app.state.room };
        announce("Connection lost. Rejoining the room when the relay is back.");
      } else if (event.reason === "left" || event.reason === "left_quietly" || (event.reason === "room_ended" && local.endingRoom)) {
        // The member's own doing: straight back to the start screen.
        local.rejoining = null;
        announce(event.reason === "room_ended" ? "You ended the room." : removalMessage(event.reason));
      } else {
        local.rejoining = null;
        local.removed = { reason: event.reason };
        announce(removalMessage(event.reason));
      }
      local.endingRoom = false;
      break;
    case "error":
      onErrorEvent(event);
      break;
    case "speaker_alarm":
      onSpeakerAlarm(event);
      break;
    case "security_alarm":
      addAlarm(securityAlarmMessage(event), event.kind);
      break;
    case "admission_changed":
      if (app.state && app.state.inRoom) {
        local.linkChanged = true;
        announce(ADMISSION_CHANGED);
      }
      break;
    case "audience_page":
      local.audiencePage = { total: event.total, offset: event.offset ?? local.audienceOffset, members: Array.isArray(event.members) ? event.members : [] };
      local.audienceOffset = local.audiencePage.offset;
      break;
    case "directory":
      local.directory.rooms = Array.isArray(event.rooms) ? event.rooms : [];
      local.directory.total = Number.isInteger(event.total) ? event.total : local.directory.rooms.length;
      local.directory.offset = Number.isInteger(event.offset) ? event.offset : local.directory.requestedOffset;
      local.directory.loaded = true;
      for (const room of local.directory.rooms) {
        const known = local.rooms.get(room.room);
        if (!known || !known.title) local.rooms.set(room.room, { title: cleanText(room.title, MAX_TITLE_BYTES), kind: "open", invite: null, stageOnly: false });
      }
      break;
    case "connection_lost":
      // The core keeps the room and rejoins it (its creator re-creates it) once a relay is back.
      local.inviteSeen = false;
      stopMicrophone();  // the relay-status line says what happened (and is a live region)
      break;
    case "rejoined":
      local.rejoining = null;
      local.removed = null;
      announce(event.recreated ? "Back in the room: you opened it again on the relay." : "Back in the room.");
      break;
    case "rejoin_failed":
    case "relay_lost":
      // Gave up (the core on the room, or the worker on every relay): the room is lost.
      if (event.type === "rejoin_failed" || local.rejoining || (app.state && app.state.rejoining)) {
        local.rejoining = null;
        local.removed = { reason: "room_lost" };
        announce(removalMessage("room_lost"));
      }
      break;
    case "relay_shutdown": {
      const seconds = Math.max(1, Math.round((event.reconnectAfterMs ?? 2000) / 1000));
      local.relayNotice = `The relay is restarting; reconnecting in about ${seconds} s.`;
      announce(local.relayNotice);
      break;
    }
    default:
      break;
  }
  scheduleRender();
}

function onErrorEvent(event) {
  if (Date.now() < local.quietUntil && ["bad_request", "not_in_room", "not_member"].includes(event.name)) return;
  if (local.rejoining && refusesJoin(event)) {
    local.rejoining = null;
    local.removed = { reason: "disconnected" };
  }
  // The worker reports a core that would not load, or a socket it cannot open, this way.
  if (event.name === "client_unavailable") {
    failClient("client_unavailable");
    return;
  }
  const inRoom = Boolean(app.state && app.state.inRoom);
  if (local.pendingJoin || local.pendingCreate) {
    if (refusesJoin(event) || !inRoom) {
      clearTimeout(local.requestTimer);
      local.pendingJoin = null;
      local.pendingCreate = null;
    }
  }
  showError(event);
}

function onSpeakerAlarm(event) {
  const stage = app.state && Array.isArray(app.state.stage) ? app.state.stage : [];
  const member = stage.find((entry) => entry.id === event.sender || entry.index === event.sender);
  const who = member ? (cleanText(member.name, 64) ?? shortId(member.id)) : null;
  addAlarm(speakerAlarmMessage(event, who), event.forged ? "forged_speaker" : "unverified_speaker");
}

// ---- requests ----

// True when the request went out; false while the previous one is cooling down.
function requestDirectory(offset) {
  if (local.directory.cooling) return false;
  local.directory.cooling = true;
  local.directory.requestedOffset = Math.max(0, offset);
  post({ type: "directory", offset: local.directory.requestedOffset, limit: DIRECTORY_PAGE });
  setTimeout(() => {
    local.directory.cooling = false;
    // A new connection that came up while cooling still wants its listing.
    askForDirectoryIfWanted(app.state);
    scheduleRender();
  }, DIRECTORY_COOLDOWN_MS);
  scheduleRender();
  return true;
}

// On the start screen with an open connection and no listing yet: ask once.
function askForDirectoryIfWanted(state) {
  if (!state || state.connection !== "open" || state.inRoom) return;
  if (local.directory.loaded || local.directory.asked) return;
  local.directory.asked = requestDirectory(local.directory.offset);
}

function requestAudience(offset) {
  local.audienceOffset = Math.max(0, offset);
  post({ type: "audience", offset: local.audienceOffset, limit: AUDIENCE_PAGE });
}

function scheduleAudienceRefresh(now) {
  clearTimeout(local.audienceTimer);
  local.audienceTimer = setTimeout(() => requestAudience(local.audienceOffset), now ? 0 : AUDIENCE_REFRESH_DELAY_MS);
}

function myName() {
  const name = normalizeOwnName($("name-input").value);
  return name !== "" ? name : defaultName(local.identity ?? (app.state && app.state.id));
}

function startRequest(kind) {
  clearTimeout(local.requestTimer);
  local.requestTimer = setTimeout(() => {
    if (app.state && app.state.inRoom) return;
    local.pendingJoin = null;
    local.pendingCreate = null;
    showError({ name: "request_timeout" }, kind === "join" ? "Joining took too long." : "Creating the room took too long.");
    scheduleRender();
  }, REQUEST_TIMEOUT_MS);
}

// `link`: {room, invite, admission, host} from parseRoomLink (the last three may be null).
function join(link) {
  const { room } = link;
  const invite = link.invite ?? null;
  const closed = Boolean(invite || link.admission);
  if (!local.rooms.has(room)) local.rooms.set(room, { title: null, kind: closed ? "closed" : null, invite, stageOnly: false });
  else if (invite) local.rooms.get(room).invite = invite;
  local.pendingJoin = { room, invite, admission: link.admission ?? null, host: link.host ?? null };
  clearError();
  clearAlarms();
  startRequest("join");
  post({ type: "join", ...local.pendingJoin, name: myName() });
  announce("Joining the room…");
  scheduleRender();
}

function onJoinSubmit(event) {
  event.preventDefault();
  const parsed = parseRoomLink($("link-input").value);
  const problem = $("link-problem");
  if (!parsed.ok) {
    setText(problem, linkProblem(parsed.reason));
    $("link-input").setAttribute("aria-invalid", "true");
    $("link-input").focus();
    return;
  }
  if (parsed.origin && parsed.origin !== location.origin) {
    setText(problem, `That link is for another relay (${parsed.origin}). Open it there: rooms live on the relay that made them.`);
    $("link-input").setAttribute("aria-invalid", "true");
    return;
  }
  setText(problem, "");
  $("link-input").removeAttribute("aria-invalid");
  join(parsed);
}

function onCreateSubmit(event) {
  event.preventDefault();
  const form = $("create-form");
  const checked = form.querySelector("input[name=kind]:checked");
  const result = validateNewRoom({ title: $("title-input").value, kind: checked ? checked.value : "", stageOnly: $("stage-only").checked });
  const problem = $("create-problem");
  if (!result.ok) {
    setText(problem, result.problem);
    $("title-input").setAttribute("aria-invalid", "true");
    $("title-input").focus();
    return;
  }
  setText(problem, "");
  $("title-input").removeAttribute("aria-invalid");
  local.pendingCreate = { localTitle: result.localTitle, kind: result.kind, stageOnly: result.stageOnly };
  clearError();
  clearAlarms();
  startRequest("create");
  post({ type: "create-room", kind: result.kind, stageOnly: result.stageOnly, title: result.sentTitle, name: myName() });
  announce("Creating the room…");
  scheduleRender();
}

function prefillFromHash() {
  const parsed = parseRoomLink(location.hash);
  if (!parsed.ok) return;
  if (app.state && app.state.inRoom) return;
  $("link-input").value = location.href;
  show($("link-note"), true);
}

// ---- audio ----

// Creates the AudioContext; must run inside a tap (autoplay policy), before any await.
function audioContext() {
  if (!audio.context) {
    const context = new AudioContext({ sampleRate: 48000, latencyHint: "interactive" });
    audio.context = context;
    app.audioContext = context;
    context.addEventListener("statechange", scheduleRender);
  }
  audio.context.resume().catch(() => {});
  return audio.context;
}

function startPlayback() {
  let context;
  try {
    context = audioContext();
  } catch {
    audio.failed = true;
    showError({ name: "audio_unavailable" });
    scheduleRender();
    return Promise.reject(new Error("no AudioContext"));
  }
  if (!audio.playback) {
    audio.playback = (async () => {
      await context.audioWorklet.addModule("playback-worklet.js");
      const node = new AudioWorkletNode(context, "stoa-playback", { numberOfInputs: 0, outputChannelCount: [1] });
      const gain = context.createGain();
      node.connect(gain).connect(context.destination);
      audio.gain = gain;
      app.audioOutput = gain;
      const channel = new MessageChannel();
      node.port.postMessage({ type: "port", port: channel.port1 }, [channel.port1]);
      post({ type: "playback-port", port: channel.port2 }, [channel.port2]);
      audio.failed = false;
      scheduleRender();
    })();
    audio.playback.catch(() => {
      audio.playback = null;  // a later tap tries again
      audio.failed = true;
      showError({ name: "audio_unavailable" });
      scheduleRender();
    });
  }
  return audio.playback;
}

function onListen() {
  audio.paused = false;
  if (audio.gain) audio.gain.gain.value = 1;
  startPlayback().catch(() => {});
  updateMediaSession();
  scheduleRender();
}

const MICROPHONE_CONSTRAINTS = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1, sampleRate: 48000 },
};

async function startMicrophone() {
  const context = audioContext();
  startPlayback().catch(() => {});  // a speaker listens too; its failure is reported on its own
  if (audio.stream) return;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw Object.assign(new Error("no getUserMedia"), { name: "InsecureContext" });
  const stream = await navigator.mediaDevices.getUserMedia(MICROPHONE_CONSTRAINTS);
  try {
    if (!audio.captureNode) {
      await context.audioWorklet.addModule("capture-worklet.js");
      const node = new AudioWorkletNode(context, "stoa-capture", { numberOfInputs: 1, numberOfOutputs: 0 });
      const channel = new MessageChannel();
      node.port.postMessage({ type: "port", port: channel.port1 }, [channel.port1]);
      post({ type: "capture-port", port: channel.port2 }, [channel.port2]);
      audio.captureNode = node;
    }
    audio.source = context.createMediaStreamSource(stream);
    audio.source.connect(audio.captureNode);
    audio.stream = stream;
  } catch (error) {
    for (const track of stream.getTracks()) track.stop();
    throw error;
  }
}

// Off the stage, the microphone is released entirely (the browser's indicator goes out).
function stopMicrophone() {
  if (audio.source) audio.source.disconnect();
  if (audio.stream) for (const track of audio.stream.getTracks()) track.stop();
  audio.source = null;
  audio.stream = null;
}

// While muted the track is disabled, so silence (not speech) is all the capture worklet sees.
function applyMicrophoneGate() {
  if (!audio.stream) return;
  const state = app.state;
  const live = Boolean(state && state.inRoom && state.me && !state.me.selfMuted && !state.me.moderatorMuted && state.role !== "listener");
  for (const track of audio.stream.getAudioTracks()) track.enabled = live;
}

let micBusy = false;
async function onMicToggle() {
  const state = app.state;
  if (!state || !state.inRoom || micBusy) return;
  const muted = Boolean(state.me && (state.me.selfMuted || state.me.moderatorMuted));
  if (!muted) {
    act({ type: "set_self_muted", muted: true });
    applyMicrophoneGate();
    return;
  }
  micBusy = true;
  scheduleRender();
  try {
    await startMicrophone();
    act({ type: "set_self_muted", muted: false });
  } catch (error) {
    const name = error && error.name === "InsecureContext" ? "microphone_insecure"
      : error && error.name === "NotFoundError" ? "microphone_missing"
      : error && (error.name === "NotAllowedError" || error.name === "SecurityError") ? "microphone_denied"
      : "audio_unavailable";
    showError({ name });
  } finally {
    micBusy = false;
    scheduleRender();
  }
}

function setMediaAction(action, handler) {
  try {
    navigator.mediaSession.setActionHandler(action, handler);
  } catch { /* an action this browser does not know */ }
}

function updateMediaSession() {
  if (!("mediaSession" in navigator) || typeof MediaMetadata === "undefined") return;
  const view = currentView();
  if (!view.room) return;
  try {
    navigator.mediaSession.metadata = new MediaMetadata({
      title: view.room.title, artist: "Stoa", album: "Live audio room",
      artwork: [{ src: "icons/stoa.svg", sizes: "any", type: "image/svg+xml" }],
    });
    navigator.mediaSession.playbackState = audio.paused ? "paused" : "playing";
  } catch { /* metadata is a nicety */ }
}

function installMediaSessionHandlers() {
  if (!("mediaSession" in navigator)) return;
  setMediaAction("play", () => onListen());
  setMediaAction("pause", () => {
    audio.paused = true;
    if (audio.gain) audio.gain.gain.value = 0;
    updateMediaSession();
    scheduleRender();
  });
  setMediaAction("togglemicrophone", () => { if (currentView().me.onStage) onMicToggle(); });
  setMediaAction("hangup", () => { if (app.state && app.state.inRoom) act({ type: "leave", quietly: false }); });
}

// ---- rendering ----

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => { renderQueued = false; render(); });
}

function currentView() {
  const state = app.state;
  return buildView(state, {
    failed: local.failed,
    removed: local.removed,
    rejoining: local.rejoining,
    linkRelays: local.linkRelays,
    roomInfo: state && state.room ? local.rooms.get(state.room) ?? null : null,
    audiencePage: local.audiencePage,
    origin: location.origin,
  });
}

function render() {
  const state = app.state;
  const view = currentView();
  const loading = !local.failed && !state;
  const screen = loading ? "loading" : view.screen;
  for (const name of ["loading", "failed", "start", "room", "rejoining", "removed"]) show($(`${name}-screen`), screen === name);
  if (screen !== lastScreen) moveFocus(screen);
  lastScreen = screen;

  const connection = local.failed ? "closed" : view.connection;
  setText($("connection"), connection);
  $("connection-line").dataset.state = connection;
  setText($("connection-label"), local.failed ? "Client not loaded" : local.relayNotice || view.connectionLabel);
  setText($("relay-status"), local.failed ? "" : view.relayStatus);
  show($("reconnect"), connection === "closed" && !local.failed && Boolean(state));

  renderAudioBanner(view, screen);
  renderAlarms();
  if (screen === "start") renderStart(view);
  if (screen === "room") renderRoom(view);
  if (screen === "removed") setText($("removed-text"), removalMessage(local.removed.reason));
  if (screen === "rejoining") {
    const info = local.rooms.get(view.rejoining);
    const title = info && info.title ? `“${info.title}”` : "the room";
    setText($("rejoining-text"), `The connection to the relay dropped. You rejoin ${title} as soon as it is back, with your microphone off.`);
  }
  if (screen !== "room" && document.title !== "Stoa") document.title = "Stoa";
}

// When the screen changes under a keyboard or screen-reader user, focus would fall back to the
// body; take it to the new screen's heading instead (never on the first screen of a visit).
let lastScreen = "loading";
function moveFocus(screen) {
  if (lastScreen === "loading") return;
  const active = document.activeElement;
  const section = $(`${screen}-screen`);
  if (active && active !== document.body && section.contains(active)) return;
  const heading = section.querySelector("h1");
  if (heading) heading.focus();
}

// A control that disappears after a tap (the invitation prompt, "Step down") hands keyboard
// focus to the control that replaces it, once that one is shown.
let pendingFocus = null;

function renderAudioBanner(view, screen) {
  const context = audio.context;
  const running = context && context.state === "running" && audio.gain && !audio.paused;
  const visible = (screen === "start" || screen === "room") && !running;
  show($("audio-banner"), visible);
  if (!visible) return;
  let text;
  if (audio.failed) text = "Audio could not start. Tap Listen to try again.";
  else if (audio.paused) text = "Paused from your device's media controls. Tap Listen to resume.";
  else if (context && audio.playback && context.state !== "running") text = "The browser paused audio. Tap Listen to resume.";
  else if (audio.playback) text = "Starting audio…";
  else text = screen === "room" ? "Audio is off in this tab. Tap Listen to hear the room." : "Tap Listen so this page may play the room's audio.";
  setText($("audio-banner-text"), text);
}

function renderStart(view) {
  const ready = view.connection === "open" && !local.pendingJoin && !local.pendingCreate;
  $("join-button").disabled = !ready;
  $("create-button").disabled = !ready;
  setText($("join-button"), local.pendingJoin ? "Joining…" : "Join");
  // The accessible name stays "Join"/"Create room" while busy; only the visible text changes.
  if (local.pendingJoin) $("join-button").setAttribute("aria-label", "Join"); else $("join-button").removeAttribute("aria-label");
  setText($("create-button"), local.pendingCreate ? "Creating…" : "Create room");
  if (local.pendingCreate) $("create-button").setAttribute("aria-label", "Create room"); else $("create-button").removeAttribute("aria-label");
  renderDirectory(view);
}

function renderDirectory(view) {
  const directory = local.directory;
  const list = $("directory");
  const status = $("directory-status");
  if (view.connection !== "open" && !directory.loaded) setText(status, "The list appears once connected.");
  else if (!directory.loaded) setText(status, "Loading…");
  else if (directory.total === 0) setText(status, "No public rooms right now. Start one!");
  else setText(status, `${directory.total} public ${directory.total === 1 ? "room" : "rooms"}.`);

  const key = JSON.stringify(directory.rooms);
  if (list.dataset.key !== key) {
    list.dataset.key = key;
    list.replaceChildren(...directory.rooms.map((room) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = formatRoomHash(room.room);
      link.dataset.room = room.room;
      link.textContent = cleanText(room.title, MAX_TITLE_BYTES) ?? `Room ${shortId(room.room)}`;
      const count = document.createElement("span");
      count.className = "listeners";
      const listeners = Number.isInteger(room.listeners) ? room.listeners : 0;
      count.textContent = `${listeners} ${listeners === 1 ? "listener" : "listeners"}`;
      item.append(link, count);
      return item;
    }));
  }
  const busy = directory.cooling || view.connection !== "open";
  const pages = Math.max(1, Math.ceil(directory.total / DIRECTORY_PAGE));
  const page = Math.floor(directory.offset / DIRECTORY_PAGE) + 1;
  setText($("directory-page"), directory.loaded && directory.total > DIRECTORY_PAGE ? `Page ${page} of ${pages}` : "");
  $("directory-previous").disabled = busy || directory.offset === 0;
  $("directory-next").disabled = busy || directory.offset + DIRECTORY_PAGE >= directory.total;
  $("directory-refresh").disabled = busy;
  show($("directory-previous"), directory.total > DIRECTORY_PAGE);
  show($("directory-next"), directory.total > DIRECTORY_PAGE);
}

function renderRoom(view) {
  const room = view.room;
  setText($("room-title"), room.title);
  document.title = `${room.title} · Stoa`;
  setText($("my-role"), view.me.roleLabel);
  setText($("audience-count"), String(room.audienceCount));
  setText($("audience-noun"), room.audienceCount === 1 ? "listener in the audience" : "listeners in the audience");

  setText($("keys"), view.keys);
  $("keys-line").dataset.state = view.keys;
  setText($("keys-label"), view.keys === "ready"
    ? "Audio is end-to-end encrypted; only people in the room can hear it."
    : "Waiting for the room's keys from the host; you cannot hear anyone yet.");

  const actions = view.actions;
  const prompt = actions.respondToInvite || (local.inviteSeen && view.me.role === "listener");
  show($("invite-prompt"), prompt);
  // One button whose name flips keeps keyboard focus where it was.
  const handVisible = (actions.raiseHand && !prompt) || actions.lowerHand;
  show($("hand-toggle"), handVisible);
  if (handVisible) {
    setText($("hand-toggle"), actions.lowerHand ? "Lower hand" : "Raise hand");
    $("hand-toggle").classList.toggle("primary", !actions.lowerHand);
  }
  const micVisible = actions.mute || actions.unmute;
  show($("mic-toggle"), micVisible);
  if (micVisible) {
    setText($("mic-toggle"), actions.unmute ? "Unmute microphone" : "Mute microphone");
    $("mic-toggle").classList.toggle("live", actions.mute);
    $("mic-toggle").disabled = micBusy;
  }
  const micHint = !micVisible ? ""
    : view.me.moderatorMuted ? "A moderator muted you. You can unmute when you are ready to speak."
    : actions.unmute ? "Your microphone is off." : "You are live: everyone in the room can hear you.";
  setText($("mic-hint"), micHint);
  show($("mic-hint"), micHint !== "");
  show($("step-down"), actions.stepDown);
  show($("leave"), actions.leave);
  show($("leave-quietly"), actions.leave);
  show($("end-room"), actions.endRoom);

  renderMembers($("stage"), view.stage, "stage-member");

  show($("audience-section"), !room.stageOnly);
  const audience = view.audience;
  show($("audience"), audience.visible);
  show($("audience-pager"), audience.visible);
  if (audience.visible) {
    renderMembers($("audience"), audience.members, "audience-member");
    const raised = audience.members.filter((member) => member.hand).length;
    let summary = local.audiencePage === null ? "Loading the audience…"
      : audience.total === 0 ? "Nobody in the audience yet."
      : `Showing ${audience.offset + 1}–${audience.offset + audience.members.length} of ${audience.total}.`;
    if (raised > 0) summary += ` ${raised} raised ${raised === 1 ? "hand" : "hands"} on this page, listed first.`;
    setText($("audience-summary"), summary);
    $("audience-previous").disabled = !audience.hasPrevious;
    $("audience-next").disabled = !audience.hasNext;
    show($("audience-previous"), audience.hasPrevious || audience.hasNext);
    show($("audience-next"), audience.hasPrevious || audience.hasNext);
  } else {
    setText($("audience-summary"), "Only the host and moderators see who is in the audience.");
  }

  show($("share-section"), Boolean(room.link));
  setText($("invite-link"), room.link ?? "");
  setText($("share-hint"), (room.linkIsInvite
    ? "This is a closed room. Anyone with this link can join, so share it only with people you want here."
    : "Anyone with this link can join this open room.")
    + (local.linkChanged && room.linkIsInvite ? " The link changed after someone was removed: links shared before no longer work." : ""));

  if (pendingFocus) {
    const target = $(pendingFocus);
    if (!target.hidden) {
      pendingFocus = null;
      const active = document.activeElement;
      if (!active || active === document.body || active.closest("[hidden]")) target.focus();
    }
  }

  setText($("security-code"), room.securityCode ?? "");  // empty until keys: tests read the digits
  setText($("security-epoch"), room.securityCode && room.epoch !== null ? `(key number ${room.epoch})` : view.keys === "ready" ? "" : "(available once keys arrive)");
}

// Updates a member list in place, keyed by member id, so a focused button survives updates.
function renderMembers(list, members, testId) {
  const wanted = new Set(members.map((member) => member.id));
  for (const child of [...list.children]) if (!wanted.has(child.dataset.memberId)) child.remove();
  const existing = new Map([...list.children].map((child) => [child.dataset.memberId, child]));
  let cursor = list.firstElementChild;
  for (const member of members) {
    let item = existing.get(member.id);
    if (!item) item = createMember(member, testId);
    updateMember(item, member);
    if (item === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(item, cursor);
  }
}

function createMember(member, testId) {
  const item = document.createElement("li");
  item.className = "member";
  item.dataset.testid = testId;
  item.dataset.memberId = member.id;
  const avatar = document.createElement("span");
  avatar.className = "avatar";
  avatar.setAttribute("aria-hidden", "true");
  const who = document.createElement("div");
  who.className = "who";
  const name = document.createElement("span");
  name.className = "name";
  const details = document.createElement("span");
  details.className = "details";
  who.append(name, details);
  const controls = document.createElement("div");
  controls.className = "member-controls";
  item.append(avatar, who, controls);
  return item;
}

function badge(text, className) {
  const element = document.createElement("span");
  element.className = `badge ${className}`;
  element.textContent = text;
  return element;
}

function updateMember(item, member) {
  const [avatar, who, controls] = item.children;
  const [name, details] = who.children;
  if ("speaking" in member) item.dataset.speaking = String(member.speaking);
  item.classList.toggle("speaking", Boolean(member.speaking));
  item.classList.toggle("self", member.isSelf);
  setText(avatar, member.named ? [...member.label][0].toUpperCase() : "#");
  setText(name, member.label + (member.isSelf ? " (you)" : ""));
  name.classList.toggle("unnamed", !member.named);

  const parts = [];
  if (member.roleLabel) parts.push(["role", member.roleLabel]);
  if ("muteText" in member) parts.push([member.muted ? "muted" : "live", member.muteText]);
  if (member.speaking) parts.push(["speaking", "Speaking"]);
  if (member.hand) parts.push(["hand", "Hand raised"]);
  if (!member.named) parts.push(["pending", "name arrives with the keys"]);
  else parts.push(["id", `id ${member.shortId}`]);
  const detailsKey = JSON.stringify(parts);
  if (details.dataset.key !== detailsKey) {
    details.dataset.key = detailsKey;
    details.replaceChildren(...parts.map(([kind, text]) => badge(text, kind)));
  }

  const actionsKey = member.controls.map((control) => control.action).join(",");
  if (controls.dataset.key !== actionsKey) {
    controls.dataset.key = actionsKey;
    controls.replaceChildren(...member.controls.map((control) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `small${control.action === "kick" || control.action === "ban" ? " danger" : ""}`;
      button.dataset.action = control.action;
      button.dataset.target = member.id;
      return button;
    }));
  }
  member.controls.forEach((control, position) => {
    const button = controls.children[position];
    setText(button, control.text);
    if (button.getAttribute("aria-label") !== control.label) button.setAttribute("aria-label", control.label);
    if (button.dataset.label !== member.label) button.dataset.label = member.label;  // for the confirmation
  });
}

// ---- wiring ----

async function onMemberControl(event) {
  const button = event.target.closest("button[data-action]");
  if (!button || !app.state || !app.state.inRoom) return;
  const action = { type: button.dataset.action, target: button.dataset.target };
  const confirmation = CONFIRMATIONS[action.type];
  if (confirmation) {
    const closed = Boolean(currentView().room?.closed);
    if (!(await confirmAction(confirmation(button.dataset.label || "this member", closed)))) return;
    if (!app.state || !app.state.inRoom) return;
  }
  act(action);
}

function loadName() {
  try {
    return localStorage.getItem(NAME_KEY) ?? "";
  } catch {
    return "";
  }
}

function saveName() {
  const name = normalizeOwnName($("name-input").value);
  try {
    if (name === "") localStorage.removeItem(NAME_KEY);
    else localStorage.setItem(NAME_KEY, name);
  } catch { /* kept for this visit only */ }
}

function copyLink() {
  const text = $("invite-link").textContent;
  const done = () => announce("Link copied.");
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => selectLink());
  } else {
    selectLink();
  }
}

function selectLink() {
  const range = document.createRange();
  range.selectNodeContents($("invite-link"));
  const selection = getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  announce("Link selected: copy it with your device's copy command.");
}

function wire() {
  $("name-input").value = loadName();
  $("name-input").addEventListener("change", saveName);
  $("join-form").addEventListener("submit", onJoinSubmit);
  $("create-form").addEventListener("submit", onCreateSubmit);
  $("link-input").addEventListener("input", () => { setText($("link-problem"), ""); $("link-input").removeAttribute("aria-invalid"); });
  $("directory").addEventListener("click", (event) => {
    const link = event.target.closest("a[data-room]");
    if (!link) return;
    event.preventDefault();
    if ($("join-button").disabled) return;
    join({ room: link.dataset.room });
  });
  $("directory-refresh").addEventListener("click", () => requestDirectory(local.directory.offset));
  $("directory-previous").addEventListener("click", () => requestDirectory(local.directory.offset - DIRECTORY_PAGE));
  $("directory-next").addEventListener("click", () => requestDirectory(local.directory.offset + DIRECTORY_PAGE));

  $("listen").addEventListener("click", onListen);
  $("hand-toggle").addEventListener("click", () => {
    const raised = Boolean(app.state && app.state.me && app.state.me.hand);
    act({ type: raised ? "lower_hand" : "raise_hand" });
  });
  $("accept-invite").addEventListener("click", () => {
    local.inviteSeen = false;
    pendingFocus = "mic-toggle";
    act({ type: "accept_invite" });
    scheduleRender();
  });
  $("decline-invite").addEventListener("click", () => {
    local.inviteSeen = false;
    pendingFocus = "hand-toggle";
    act({ type: "decline_invite" });
    scheduleRender();
  });
  $("mic-toggle").addEventListener("click", onMicToggle);
  $("step-down").addEventListener("click", () => {
    pendingFocus = "hand-toggle";
    act({ type: "move_to_audience", target: app.state && app.state.id });
  });
  $("leave").addEventListener("click", () => act({ type: "leave", quietly: false }));
  $("leave-quietly").addEventListener("click", () => act({ type: "leave", quietly: true }));
  $("end-room").addEventListener("click", async () => {
    const confirmed = await confirmAction({
      title: "End the room for everyone?",
      text: "Everyone is removed and the room closes. This cannot be undone.",
      confirm: "Yes, end the room",
    });
    if (!confirmed || !app.state || !app.state.inRoom) return;
    local.endingRoom = true;
    act({ type: "end_room" });
  });
  $("stage").addEventListener("click", onMemberControl);
  $("audience").addEventListener("click", onMemberControl);
  $("audience-refresh").addEventListener("click", () => requestAudience(local.audienceOffset));
  $("audience-previous").addEventListener("click", () => requestAudience(local.audienceOffset - AUDIENCE_PAGE));
  $("audience-next").addEventListener("click", () => requestAudience(local.audienceOffset + AUDIENCE_PAGE));
  $("copy-link").addEventListener("click", copyLink);
  $("dismiss-error").addEventListener("click", () => { clearError(); $("main").focus(); });
  $("dismiss-alarms").addEventListener("click", () => { clearAlarms(); $("main").focus(); });
  $("reload").addEventListener("click", () => location.reload());
  // After the worker gave up on every relay: a fresh round of attempts, same identity.
  $("reconnect").addEventListener("click", () => {
    if (!post({ type: "reconnect" })) location.reload();
  });
  $("cancel-rejoin").addEventListener("click", () => {
    local.rejoining = null;
    local.quietUntil = Date.now() + 3000;
    act({ type: "leave", quietly: false });  // the worker forgets the room it would rejoin
    if (app.state && app.state.connection === "open") requestDirectory(0);
    scheduleRender();
  });
  $("back-to-start").addEventListener("click", () => {
    local.removed = null;
    if (app.state && app.state.connection === "open") requestDirectory(0);
    scheduleRender();
  });

  window.addEventListener("hashchange", prefillFromHash);
  // Background tabs: resume a context the browser suspended as soon as the page is back.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && audio.context && audio.playback && !audio.paused && audio.context.state !== "running") {
      audio.context.resume().catch(() => {});
    }
  });
  installMediaSessionHandlers();
}

wire();
prefillFromHash();
render();
startClient().catch(() => failClient("client_unavailable"));
