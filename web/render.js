// DOM rendering (docs/web-client.md, "Modules"): draws the view model (lib/view-model.js) that
// the headless client's state gives, plus the page's own notices (errors, alarms, announcements
// for screen readers, transient reactions). Reads the client and the audio graph; changes neither.

import { formatRoomHash } from "./lib/link.js";
import { buildView } from "./lib/view-model.js";
import { errorMessage, removalMessage } from "./lib/errors.js";
import { cleanText, shortId } from "./lib/names.js";
import { MAX_TITLE_BYTES } from "./lib/room-form.js";
import { DIRECTORY_PAGE, REACTIONS } from "./client.js";

const REACTION_LABELS = new Map(REACTIONS.map((reaction) => [reaction.name, reaction.label]));

let client = null;
let audio = null;

// Called once by the composition root.
export function attachRenderer(headlessClient, audioGraph) {
  client = headlessClient;
  audio = audioGraph;
}

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

function renderAlarms() {
  const list = $("security-alarms");
  const key = JSON.stringify(client.alarms);
  if (list.dataset.key !== key) {
    list.dataset.key = key;
    list.replaceChildren(...client.alarms.map((alarm) => {
      const item = document.createElement("p");
      item.className = "alarm-text";
      item.dataset.testid = "security-alarm";
      item.dataset.kind = alarm.kind;
      item.textContent = alarm.text;
      return item;
    }));
  }
  show($("alarm-region"), client.alarms.length > 0);
}

// ---- rendering ----

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => { renderQueued = false; render(); });
}

function currentView() {
  const state = client.state;
  return buildView(state, {
    failed: client.failed,
    removed: client.removed,
    rejoining: client.rejoining,
    linkRelays: client.linkRelays,
    roomInfo: state && state.room ? client.rooms.get(state.room) ?? null : null,
    audiencePage: client.audiencePage,
    origin: location.origin,
  });
}

function render() {
  const state = client.state;
  const view = currentView();
  const loading = !client.failed && !state;
  const screen = loading ? "loading" : view.screen;
  for (const name of ["loading", "failed", "start", "room", "rejoining", "removed"]) show($(`${name}-screen`), screen === name);
  if (screen !== lastScreen) moveFocus(screen);
  lastScreen = screen;

  const connection = client.failed ? "closed" : view.connection;
  setText($("connection"), connection);
  $("connection-line").dataset.state = connection;
  setText($("connection-label"), client.failed ? "Client not loaded" : client.relayNotice || view.connectionLabel);
  setText($("relay-status"), client.failed ? "" : view.relayStatus);
  show($("reconnect"), connection === "closed" && !client.failed && Boolean(state));

  renderAudioBanner(view, screen);
  renderAlarms();
  if (screen === "start") renderStart(view);
  if (screen === "room") renderRoom(view);
  if (screen === "removed") setText($("removed-text"), removalMessage(client.removed.reason));
  if (screen === "rejoining") {
    const info = client.rooms.get(view.rejoining);
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
  const text = audio.bannerText(screen);
  const visible = (screen === "start" || screen === "room") && text !== null;
  show($("audio-banner"), visible);
  if (!visible) return;
  setText($("audio-banner-text"), text);
}

function renderStart(view) {
  const ready = view.connection === "open" && !client.pendingJoin && !client.pendingCreate;
  $("join-button").disabled = !ready;
  $("create-button").disabled = !ready;
  setText($("join-button"), client.pendingJoin ? "Joining…" : "Join");
  // The accessible name stays "Join"/"Create room" while busy; only the visible text changes.
  if (client.pendingJoin) $("join-button").setAttribute("aria-label", "Join"); else $("join-button").removeAttribute("aria-label");
  setText($("create-button"), client.pendingCreate ? "Creating…" : "Create room");
  if (client.pendingCreate) $("create-button").setAttribute("aria-label", "Create room"); else $("create-button").removeAttribute("aria-label");
  renderDirectory(view);
}

function renderDirectory(view) {
  const directory = client.directory;
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
  const prompt = actions.respondToInvite || (client.inviteSeen && view.me.role === "listener");
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
    $("mic-toggle").disabled = audio.micBusy;
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
    let summary = client.audiencePage === null ? "Loading the audience…"
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
    + (client.linkChanged && room.linkIsInvite ? " The link changed after someone was removed: links shared before no longer work." : ""));

  if (pendingFocus) {
    const target = $(pendingFocus);
    if (!target.hidden) {
      pendingFocus = null;
      const active = document.activeElement;
      if (!active || active === document.body || active.closest("[hidden]")) target.focus();
    }
  }

  setText($("security-code"), room.securityCode ?? "");  // empty until keys: tests read the digits
  // The same code as emoji with their names: easier to compare aloud or at a glance.
  setText($("security-emoji"), room.securityEmoji ?? "");
  setText($("security-words"), room.securityWords ?? "");
  show($("security-forms"), Boolean(room.securityEmoji || room.securityWords));
  renderReactions(view);
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
  const reaction = document.createElement("span");
  reaction.className = "reaction-badge";
  reaction.dataset.testid = "reaction-badge";
  reaction.setAttribute("aria-hidden", "true");  // the reactions line below says it in words
  reaction.hidden = true;
  item.append(avatar, who, controls, reaction);
  return item;
}

function badge(text, className) {
  const element = document.createElement("span");
  element.className = `badge ${className}`;
  element.textContent = text;
  return element;
}

function updateMember(item, member) {
  const [avatar, who, controls, reactionBadge] = item.children;
  // The newest reaction from this member, shown on its avatar while it lasts.
  const reaction = latestReactionBy(member.id);
  setText(reactionBadge, reaction ? reaction.emoji : "");
  show(reactionBadge, Boolean(reaction));
  if (reaction) reactionBadge.dataset.reaction = reaction.name; else delete reactionBadge.dataset.reaction;
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

// ---- reactions ----

function latestReactionBy(memberId) {
  for (let i = client.reactions.length - 1; i >= 0; --i) {
    if (client.reactions[i].member === memberId) return client.reactions[i];
  }
  return null;
}

// Who a reaction came from, as the member sees them: a name from the stage or the audience page,
// "You", or "Someone in the audience" (listeners do not hold the audience roster).
function reactionAuthor(view, reaction) {
  if (reaction.member === view.me.id) return "You";
  const members = [...view.stage, ...view.audience.members];
  const member = members.find((entry) => entry.id === reaction.member);
  return member ? member.label : "Someone in the audience";
}

function renderReactions(view) {
  const inRoom = Boolean(view.room);
  show($("reactions-section"), inRoom);
  if (!inRoom) return;
  const list = $("reactions");
  const shown = client.reactions.map((reaction) => ({ ...reaction, author: reactionAuthor(view, reaction) }));
  const key = JSON.stringify(shown.map((reaction) => [reaction.id, reaction.author]));
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren(...shown.map((reaction) => {
    const item = document.createElement("li");
    item.className = "reaction";
    item.dataset.testid = "reaction";
    item.dataset.member = reaction.member;
    item.dataset.reaction = reaction.name;
    const emoji = document.createElement("span");
    emoji.className = "reaction-emoji";
    emoji.textContent = reaction.emoji;
    emoji.setAttribute("aria-hidden", "true");
    const text = document.createElement("span");
    text.textContent = `${reaction.author}: ${REACTION_LABELS.get(reaction.name) ?? reaction.name}`;
    item.append(emoji, " ", text);
    return item;
  }));
}

export { $, setText, show, announce, showError, clearError, scheduleRender, currentView, render };
export function focusNext(id) { pendingFocus = id; }
