// From the worker's `state` (docs/web-client.md) and what the page knows locally to what the page
// shows. Pure: app.js renders the result and never decides anything itself.

import { memberActions, selfActions, isPrivileged, onStage, MEMBER_CONTROLS } from "./permissions.js";
import { labelMembers, shortId, cleanName, cleanText } from "./names.js";
import { formatRoomLink } from "./link.js";
import { lostRelayText } from "./relays.js";

const MAX_TITLE_BYTES = 120;
const ROLE_LABELS = { host: "Host", moderator: "Moderator", speaker: "Speaker", listener: "Listener" };
const ROLE_RANK = { host: 0, moderator: 1, speaker: 2, listener: 3 };

export function roleLabel(role) {
  return ROLE_LABELS[role] ?? "Member";
}

// What the connection state means to the person using the page.
export function connectionLabel(connection) {
  switch (connection) {
    case "connecting": return "Connecting to the relay…";
    case "open": return "Connected";
    case "reconnecting": return "Connection lost, reconnecting…";
    case "closed": return "Disconnected";
    default: return "Starting…";
  }
}

export function roomTitle(state, roomInfo) {
  const fromState = state ? cleanText(state.title, MAX_TITLE_BYTES) : null;
  if (fromState) return fromState;
  const known = roomInfo ? cleanText(roomInfo.title, MAX_TITLE_BYTES) : null;
  if (known) return known;
  if (roomInfo && roomInfo.kind === "closed") return "Closed room";
  return state && state.room ? `Room ${shortId(state.room)}` : "Room";
}

function controlsFor(actions, label) {
  return MEMBER_CONTROLS.filter((control) => actions.includes(control.action)).map((control) => ({
    action: control.action, text: control.text, label: control.label(label),
  }));
}

function muteText(member) {
  if (member.moderatorMuted) return "Muted by a moderator";
  if (member.selfMuted) return "Muted";
  return "Microphone on";
}

// The room this member lost with its relay and is getting back into: the session's
// (`state.rejoining`, which the core or the worker keeps), else the page's own note of it. None
// once the worker has given up on the relay.
export function rejoiningRoom(state, local = {}) {
  const s = state ?? {};
  if (s.inRoom || s.connection === "closed") return null;
  if (typeof s.rejoining === "string" && s.rejoining) return s.rejoining;
  return local.rejoining ? local.rejoining.room ?? null : null;
}

// The visible status line about the relay (role="status"): empty while connected and not
// rejoining; "Lost the relay — reconnecting (attempt n)…" while it is lost.
export function relayStatus(state, local = {}) {
  const s = state ?? {};
  if (s.connection === "reconnecting") return lostRelayText(s.reconnect?.attempt);
  if (s.connection === "closed" && s.reconnect?.gaveUp) return "Lost the relay. Could not reconnect.";
  if (s.connection === "open" && rejoiningRoom(s, local)) return "Back on the relay — rejoining the room…";
  return "";
}

// Which screen to show. `local.failed` is a client that could not load; a rejoining room (see
// rejoiningRoom) one whose relay was lost, shown apart from the room until the member is back in
// it; `local.removed` a removal the member has not dismissed yet.
export function screenOf(state, local = {}) {
  if (local.failed) return "failed";
  if (state && state.inRoom) return "room";
  if (rejoiningRoom(state, local)) return "rejoining";
  if (local.removed) return "removed";
  return "start";
}

// local: {failed, removed, rejoining, roomInfo: {title, kind, invite, stageOnly}, audiencePage, origin,
// linkRelays (relay URLs the page's link named, handed on in the room's link)}
export function buildView(state, local = {}) {
  const s = state ?? {};
  const roomInfo = local.roomInfo ?? null;
  const stageOnly = Boolean(s.stageOnly ?? roomInfo?.stageOnly);
  const myRole = s.role ?? "listener";
  const context = { myId: s.id, myRole, stageOnly };
  const privileged = Boolean(s.inRoom) && isPrivileged(myRole);

  const stageIn = Array.isArray(s.stage) ? s.stage.slice() : [];
  stageIn.sort((a, b) => (ROLE_RANK[a.role] ?? 9) - (ROLE_RANK[b.role] ?? 9) || (a.index ?? 0) - (b.index ?? 0));
  const page = privileged && local.audiencePage ? local.audiencePage : null;
  // Raised hands first: they are who a moderator is looking for. Stable otherwise.
  const audienceIn = page && Array.isArray(page.members)
    ? page.members.map((member, order) => ({ member, order }))
        .sort((a, b) => Number(Boolean(b.member.hand)) - Number(Boolean(a.member.hand)) || a.order - b.order)
        .map((entry) => entry.member)
    : [];
  const labels = labelMembers([...stageIn, ...audienceIn]);

  const stage = stageIn.map((member) => {
    const label = labels.get(member.id);
    const muted = Boolean(member.selfMuted || member.moderatorMuted);
    return {
      id: member.id,
      shortId: shortId(member.id),
      label,
      named: cleanName(member.name) !== null,
      role: member.role,
      roleLabel: roleLabel(member.role),
      isSelf: member.id === s.id,
      muted,
      muteText: muteText(member),
      speaking: Boolean(member.speaking),
      hand: Boolean(member.hand),
      controls: s.inRoom ? controlsFor(memberActions(context, member), label) : [],
    };
  });

  const audience = audienceIn.map((member) => {
    const label = labels.get(member.id);
    const target = { id: member.id, role: member.role ?? "listener", invited: Boolean(member.invited) };
    return {
      id: member.id,
      shortId: shortId(member.id),
      label,
      named: cleanName(member.name) !== null,
      hand: Boolean(member.hand),
      isSelf: member.id === s.id,
      controls: controlsFor(memberActions(context, target), label),
    };
  });

  const total = page ? (Number.isInteger(page.total) ? page.total : audience.length) : 0;
  const offset = page ? (page.offset ?? 0) : 0;
  const invite = roomInfo?.invite ?? null;
  // A closed room's admission secret (it rotates after a kick or ban) and the host's key come from
  // the worker's state, so the link shown is always the current one.
  const admission = typeof s.admission === "string" ? s.admission : null;
  const host = typeof s.hostKey === "string" ? s.hostKey : null;
  return {
    screen: screenOf(s, local),
    connection: s.connection ?? "connecting",
    connectionLabel: connectionLabel(s.connection),
    relayStatus: relayStatus(s, local),
    rejoining: rejoiningRoom(s, local),
    keys: s.keys ? "ready" : "waiting",
    room: s.inRoom ? {
      id: s.room,
      title: roomTitle(s, roomInfo),
      link: s.room && local.origin ? formatRoomLink(local.origin, s.room, invite, { admission, host, relays: local.linkRelays ?? [] }) : null,
      linkIsInvite: Boolean(invite || admission),
      closed: roomInfo?.kind === "closed" || Boolean(invite || admission),
      stageOnly,
      securityCode: typeof s.securityCode === "string" ? s.securityCode : null,
      // The same code as emoji and as words (core/e2ee/security_code.hpp), shown under the digits.
      securityEmoji: typeof s.securityEmoji === "string" ? s.securityEmoji : null,
      securityWords: typeof s.securityWords === "string" ? s.securityWords : null,
      epoch: Number.isInteger(s.epoch) ? s.epoch : null,
      audienceCount: Number.isInteger(s.audienceCount) ? s.audienceCount : 0,
    } : null,
    me: {
      id: s.id ?? null,
      role: myRole,
      roleLabel: roleLabel(myRole),
      onStage: Boolean(s.inRoom) && onStage(myRole),
      privileged,
      hand: Boolean(s.me?.hand),
      invited: Boolean(s.me?.invited),
      selfMuted: Boolean(s.me?.selfMuted),
      moderatorMuted: Boolean(s.me?.moderatorMuted),
    },
    actions: selfActions({ role: myRole, me: s.me, stageOnly, inRoom: Boolean(s.inRoom) }),
    stage,
    audience: {
      visible: privileged,
      members: audience,
      total,
      offset,
      hasPrevious: offset > 0,
      hasNext: offset + audience.length < total,
    },
  };
}

const ROLE_SENTENCES = {
  host: "You are now the host.",
  moderator: "You are now a moderator.",
  speaker: "You are now a speaker on the stage. Your microphone is off until you unmute it.",
  listener: "You are now in the audience.",
};

// Sentences for the polite live region: what changed between two states that a person who cannot
// see the screen needs to hear. Speaking indicators are deliberately not announced.
export function announcements(previous, next) {
  const p = previous ?? {};
  const n = next ?? {};
  const out = [];
  if (p.connection !== n.connection && n.connection) {
    if (n.connection === "open") out.push(p.connection === "reconnecting" ? "Reconnected." : "Connected to the relay.");
    else if (n.connection === "reconnecting") out.push("Connection lost. Reconnecting…");
    else if (n.connection === "closed") out.push("Disconnected from the relay.");
  }
  if (!p.inRoom && n.inRoom) {
    out.push(`You joined the room as ${roleLabel(n.role).toLowerCase()}.`);
  } else if (p.inRoom && n.inRoom) {
    if (p.role !== n.role && ROLE_SENTENCES[n.role]) out.push(ROLE_SENTENCES[n.role]);
    const before = p.me ?? {};
    const after = n.me ?? {};
    if (!before.invited && after.invited) out.push("You have been invited to speak. Accept or decline.");
    if (p.role === n.role && n.role === "listener" && Boolean(before.hand) !== Boolean(after.hand)) {
      out.push(after.hand ? "Hand raised." : "Hand lowered.");
    }
    if (!before.moderatorMuted && after.moderatorMuted) out.push("A moderator muted your microphone.");
    else if (p.role === n.role && onStage(n.role)) {
      const wasLive = !before.selfMuted && !before.moderatorMuted;
      const isLive = !after.selfMuted && !after.moderatorMuted;
      if (wasLive !== isLive) out.push(isLive ? "Microphone on. You are live." : "Microphone muted.");
    }
  }
  if (n.inRoom && !p.keys && n.keys) out.push("Room keys received: audio is end-to-end encrypted.");
  if (p.inRoom && !n.inRoom) out.push("You are no longer in the room.");
  return out;
}
