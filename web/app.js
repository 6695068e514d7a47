// The page's composition root (docs/web-client.md, "Modules"): makes the headless client
// (client.js) with its worker, the audio graph (audio.js) and the renderer (render.js), and wires
// taps to them. Decisions live in lib/ (pure, tested) and in the core; nothing here draws.

import { parseRoomLink, formatRoomHash, linkProblem, relayUrl } from "./lib/link.js";
import { relaysFromConfig, relaysFromFragment, relayList } from "./lib/relays.js";
import { errorMessage } from "./lib/errors.js";
import { normalizeOwnName, defaultName } from "./lib/names.js";
import { validateNewRoom } from "./lib/room-form.js";
import { loadSeed, saveSeed } from "./identity-store.js";
import { StoaClient, DIRECTORY_PAGE, AUDIENCE_PAGE, REACTIONS } from "./client.js";
import { StoaAudio } from "./audio.js";
import {
  attachRenderer, $, setText, show, announce, showError, clearError, scheduleRender, currentView, render, focusNext,
} from "./render.js";

const CLIENT_LOAD_TIMEOUT_MS = 20000;
const CONFIG_TIMEOUT_MS = 3000;       // config.json is optional: a slow one must not hold the start
const NAME_KEY = "stoa.displayName";

const client = new StoaClient();
const audio = new StoaAudio({
  post: (message, transfer) => client.post(message, transfer),
  hooks: {
    changed: scheduleRender,
    error: (name) => showError({ name }),
    published: (context, output) => {
      app.audioContext = context;
      app.audioOutput = output;
    },
  },
});
attachRenderer(client, audio);

// The object the end-to-end tests read (docs/web-client.md, "Hooks for the end-to-end tests").
const app = {
  get state() { return client.state; },
  events: client.events,
  audioContext: null,
  audioOutput: null,
  client,
  audio,
};
window.stoaApp = app;

// ---- what the headless client says ----

client.on("change", scheduleRender);
client.on("announce", announce);
client.on("error", ({ error, prefix }) => showError(error, prefix ?? ""));
client.on("clear-error", clearError);
client.on("stop-microphone", () => audio.stopMicrophone());
client.on("state", ({ next }) => audio.applyMicrophoneGate(next));
client.on("identity", ({ seed }) => {
  saveSeed(seed).then((stored) => {
    if (!stored) announce(errorMessage({ name: "storage_unavailable" }));
  });
});
client.on("entered", (state) => {
  updateAddressBar(state);
  audio.updateMediaSession(currentView().room?.title ?? "Stoa");
});
client.on("room-link", updateAddressBar);
client.on("left", ({ keepLink }) => {
  if (!keepLink) {
    try {
      history.replaceState(null, "", location.pathname + location.search);
    } catch { /* the address bar is a convenience */ }
  }
  audio.updateMediaSession(null);
  show($("link-note"), false);
});

// While in a room the address bar holds its current link (a reload rejoins from it): the host's
// key once known, and a closed room's secret as it rotates.
function updateAddressBar(state) {
  const info = client.rooms.get(state.room);
  const hash = formatRoomHash(state.room, info ? info.invite : null,
    { admission: state.admission ?? null, host: state.hostKey ?? null, relays: client.linkRelays });
  if (location.hash === hash) return;
  try {
    history.replaceState(null, "", hash);
  } catch { /* as above */ }
}

// ---- the worker ----

async function startClient() {
  let worker;
  try {
    worker = new Worker("client-worker.js");
  } catch {
    client.fail("client_unavailable");
    return;
  }
  client.attach({ post: (message, transfer) => worker.postMessage(message, transfer) });
  worker.addEventListener("error", (event) => {
    event.preventDefault();  // reported on the page instead
    if (!client.identity) client.fail("client_unavailable");
    else showError({ name: "client_crashed" });
  });
  worker.addEventListener("messageerror", () => showError({ name: "client_crashed" }));
  worker.addEventListener("message", (event) => client.receive(event.data));
  const loadTimer = setTimeout(() => { if (!client.identity) client.fail("client_unavailable"); }, CLIENT_LOAD_TIMEOUT_MS);
  const [seed, config] = await Promise.all([loadSeed(), loadConfig()]);
  // This page's relay first, then the configured ones, then the link's (docs/web-client.md, "Relays").
  const secure = location.protocol === "https:";
  const linkRelays = relaysFromFragment(location.hash, { secure });
  const urls = relayList(relayUrl(location), relaysFromConfig(config, { secure }), linkRelays);
  if (!client.start({ seed, urls, context: location.origin, linkRelays })) clearTimeout(loadTimer);
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

// The installable app's service worker (sw.js): caches this build's files so a room link opens
// fast. Registered after the page loaded, so it never competes with the first visit's downloads.
function registerServiceWorker() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  const register = () => navigator.serviceWorker.register("sw.js").catch(() => { /* the page works without it */ });
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
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

// ---- taps ----

function myName() {
  const name = normalizeOwnName($("name-input").value);
  return name !== "" ? name : defaultName(client.identity ?? (client.state && client.state.id));
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
  client.join(parsed, myName());
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
  client.createRoom(result, myName());
}

function prefillFromHash() {
  const parsed = parseRoomLink(location.hash);
  if (!parsed.ok) return;
  if (client.state && client.state.inRoom) return;
  $("link-input").value = location.href;
  show($("link-note"), true);
}

function onListen() {
  audio.listen();
  audio.updateMediaSession(currentView().room?.title ?? null);
}

async function onMicToggle() {
  const state = client.state;
  if (!state || !state.inRoom || audio.micBusy) return;
  const muted = Boolean(state.me && (state.me.selfMuted || state.me.moderatorMuted));
  if (!muted) {
    client.act({ type: "set_self_muted", muted: true });
    audio.applyMicrophoneGate(client.state);
    return;
  }
  audio.micBusy = true;
  scheduleRender();
  try {
    await audio.startMicrophone();
    client.act({ type: "set_self_muted", muted: false });
  } catch (error) {
    showError({ name: StoaAudio.microphoneError(error) });
  } finally {
    audio.micBusy = false;
    scheduleRender();
  }
}

async function onMemberControl(event) {
  const button = event.target.closest("button[data-action]");
  if (!button || !client.state || !client.state.inRoom) return;
  const action = { type: button.dataset.action, target: button.dataset.target };
  const confirmation = CONFIRMATIONS[action.type];
  if (confirmation) {
    const closed = Boolean(currentView().room?.closed);
    if (!(await confirmAction(confirmation(button.dataset.label || "this member", closed)))) return;
    if (!client.state || !client.state.inRoom) return;
  }
  client.act(action);
}

function onReactionTap(event) {
  const button = event.target.closest("button[data-reaction]");
  if (!button) return;
  client.react(button.dataset.reaction);
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

// One button per reaction (client.js REACTIONS), named for screen readers.
function buildReactionButtons() {
  $("reaction-buttons").replaceChildren(...REACTIONS.map((reaction) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "reaction-button";
    button.dataset.reaction = reaction.name;
    button.textContent = reaction.emoji;
    button.setAttribute("aria-label", `React: ${reaction.label}`);
    return button;
  }));
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
    client.join({ room: link.dataset.room }, myName());
  });
  $("directory-refresh").addEventListener("click", () => client.requestDirectory(client.directory.offset));
  $("directory-previous").addEventListener("click", () => client.requestDirectory(client.directory.offset - DIRECTORY_PAGE));
  $("directory-next").addEventListener("click", () => client.requestDirectory(client.directory.offset + DIRECTORY_PAGE));

  $("listen").addEventListener("click", onListen);
  $("hand-toggle").addEventListener("click", () => {
    const raised = Boolean(client.state && client.state.me && client.state.me.hand);
    client.act({ type: raised ? "lower_hand" : "raise_hand" });
  });
  $("accept-invite").addEventListener("click", () => {
    client.inviteSeen = false;
    focusNext("mic-toggle");
    client.act({ type: "accept_invite" });
    scheduleRender();
  });
  $("decline-invite").addEventListener("click", () => {
    client.inviteSeen = false;
    focusNext("hand-toggle");
    client.act({ type: "decline_invite" });
    scheduleRender();
  });
  $("mic-toggle").addEventListener("click", onMicToggle);
  $("step-down").addEventListener("click", () => {
    focusNext("hand-toggle");
    client.act({ type: "move_to_audience", target: client.state && client.state.id });
  });
  $("leave").addEventListener("click", () => client.act({ type: "leave", quietly: false }));
  $("leave-quietly").addEventListener("click", () => client.act({ type: "leave", quietly: true }));
  $("end-room").addEventListener("click", async () => {
    const confirmed = await confirmAction({
      title: "End the room for everyone?",
      text: "Everyone is removed and the room closes. This cannot be undone.",
      confirm: "Yes, end the room",
    });
    if (!confirmed || !client.state || !client.state.inRoom) return;
    client.endRoom();
  });
  $("stage").addEventListener("click", onMemberControl);
  $("audience").addEventListener("click", onMemberControl);
  $("audience-refresh").addEventListener("click", () => client.requestAudience(client.audienceOffset));
  $("audience-previous").addEventListener("click", () => client.requestAudience(client.audienceOffset - AUDIENCE_PAGE));
  $("audience-next").addEventListener("click", () => client.requestAudience(client.audienceOffset + AUDIENCE_PAGE));
  buildReactionButtons();
  $("reaction-buttons").addEventListener("click", onReactionTap);
  $("copy-link").addEventListener("click", copyLink);
  $("dismiss-error").addEventListener("click", () => { clearError(); $("main").focus(); });
  $("dismiss-alarms").addEventListener("click", () => { client.clearAlarms(); $("main").focus(); });
  $("reload").addEventListener("click", () => location.reload());
  // After the worker gave up on every relay: a fresh round of attempts, same identity.
  $("reconnect").addEventListener("click", () => {
    if (!client.post({ type: "reconnect" })) location.reload();
  });
  $("cancel-rejoin").addEventListener("click", () => client.cancelRejoin());
  $("back-to-start").addEventListener("click", () => client.dismissRemoval());

  window.addEventListener("hashchange", prefillFromHash);
  // Background tabs: resume a context the browser suspended as soon as the page is back.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) audio.resumeIfWanted();
  });
  // The lock screen's controls (MediaSession): play, pause, the microphone, hang up.
  audio.installMediaSessionHandlers({
    play: () => onListen(),
    pause: () => {
      audio.pause();
      audio.updateMediaSession(currentView().room?.title ?? null);
    },
    toggleMicrophone: () => { if (currentView().me.onStage) onMicToggle(); },
    hangUp: () => { if (client.state && client.state.inRoom) client.act({ type: "leave", quietly: false }); },
  });
}

wire();
prefillFromHash();
render();
registerServiceWorker();
startClient().catch(() => client.fail("client_unavailable"));
