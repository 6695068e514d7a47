// The headless client (docs/web-client.md, "Modules"): owns the client worker, the room and
// request state the page keeps beside the core's, and says what happened through events the UI
// subscribes to. No DOM, no audio: it runs in Node's test runner with a recording transport.

import { removalMessage, refusesJoin } from "./lib/errors.js";
import { cleanText, shortId } from "./lib/names.js";
import { MAX_TITLE_BYTES } from "./lib/room-form.js";
import { securityAlarmMessage, speakerAlarmMessage, ADMISSION_CHANGED } from "./lib/alarms.js";
import { announcements } from "./lib/view-model.js";

export const DIRECTORY_PAGE = 20;
export const AUDIENCE_PAGE = 50;
export const DIRECTORY_COOLDOWN_MS = 1100;  // the relay allows about one directory request a second
export const AUDIENCE_REFRESH_DELAY_MS = 800;
export const REQUEST_TIMEOUT_MS = 15000;
// The reactions a member can send, by the core's names (core/client/include/stoa/client/reaction.hpp).
export const REACTIONS = Object.freeze([
  { name: "thumbs_up", emoji: "👍", label: "thumbs up" },
  { name: "heart", emoji: "❤️", label: "heart" },
  { name: "laugh", emoji: "😂", label: "laughing" },
  { name: "clap", emoji: "👏", label: "clapping" },
  { name: "party", emoji: "🎉", label: "party" },
  { name: "raised_hand", emoji: "✋", label: "raised hand" },
]);
const REACTION_BY_NAME = new Map(REACTIONS.map((reaction) => [reaction.name, reaction]));
// Reactions shown at once, newest last; older ones fall off (a burst from a big room stays small).
export const MAX_SHOWN_REACTIONS = 8;
export const REACTION_SHOWN_MS = 4000;

export class StoaClient {
  // `transport`: {post(message, transfer) -> bool}, set by attach(); `timers`: {set, clear, now}.
  constructor({ timers } = {}) {
    this.timers = timers ?? { set: (f, ms) => setTimeout(f, ms), clear: (id) => clearTimeout(id), now: () => Date.now() };
    this.transport = null;
    this.listeners = new Map();
    this.state = null;            // the worker's latest state (the core's, plus connection)
    this.events = [];             // every event the worker reported, in order (the tests read it)
    this.identity = null;
    this.failed = null;           // {name} once the client could not load
    this.removed = null;          // {reason} until dismissed
    this.rejoining = null;        // {room} while the worker rejoins after a dropped connection (older core)
    this.linkRelays = [];         // relay URLs from the link's `relays=` field, handed on in room links
    this.quietUntil = 0;          // errors from cancelling a rejoin are expected, not shown
    this.endingRoom = false;      // this member asked to end the room
    this.rooms = new Map();       // room id -> {title, kind, invite, stageOnly}
    this.pendingCreate = null;    // {localTitle, kind, stageOnly}
    this.pendingJoin = null;      // {room, invite, admission, host}
    this.alarms = [];             // [{text, kind}]: what the end-to-end checks caught, until dismissed
    this.linkChanged = false;     // the closed room's secret rotated: links shared before are void
    this.requestTimer = 0;
    this.inviteSeen = false;      // invited_to_stage arrived; the prompt shows until answered
    this.audiencePage = null;
    this.audienceOffset = 0;
    this.audienceTimer = 0;
    this.directory = { offset: 0, requestedOffset: 0, total: 0, rooms: [], loaded: false, cooling: false, asked: false };
    this.relayNotice = "";
    this.reactions = [];          // [{id, member, index, name, emoji, at}] shown now, newest last
    this.nextReactionId = 1;
  }

  // ---- subscriptions ----
  on(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(listener);
    return () => this.listeners.get(type).delete(listener);
  }
  emit(type, detail) {
    for (const listener of this.listeners.get(type) ?? []) listener(detail);
    if (type !== "change") for (const listener of this.listeners.get("change") ?? []) listener({ type, detail });
  }
  changed() { this.emit("change", null); }

  // ---- the worker ----
  attach(transport) { this.transport = transport; }
  post(message, transfer) {
    if (!this.transport) return false;
    try {
      return this.transport.post(message, transfer ?? []) !== false;
    } catch {
      this.emit("error", { error: { name: "client_crashed" } });
      return false;
    }
  }
  act(action) { return this.post({ type: "act", action }); }
  fail(name) {
    this.failed = { name };
    this.emit("error", { error: { name } });
    this.changed();
  }
  // `seed`, `urls` (this page's relay first) and `context` (the page's origin) start the worker.
  start({ seed, urls, context, linkRelays }) {
    this.linkRelays = linkRelays ?? [];
    return this.post({ type: "start", seed, url: urls[0], urls, context });
  }

  // What the worker says, from its message event.
  receive(message) {
    if (!message || typeof message !== "object") return;
    switch (message.type) {
      case "identity":
        this.identity = message.id ?? "";
        if (this.failed && this.failed.name === "client_unavailable") {
          this.failed = null;
          this.emit("clear-error");
        }
        this.emit("identity", { id: this.identity, seed: message.seed });
        this.changed();
        break;
      case "state":
        if (message.state && typeof message.state === "object") this.onState(message.state);
        break;
      case "event":
        if (message.event && typeof message.event === "object") {
          this.events.push(message.event);
          this.onEvent(message.event);
        }
        break;
      default:
        break;
    }
  }

  onState(next) {
    const previous = this.state;
    this.state = next;
    if (this.identity === null && next.id) this.identity = next.id;
    for (const sentence of announcements(previous, next)) this.emit("announce", sentence);

    const wasIn = Boolean(previous && previous.inRoom);
    if (!wasIn && next.inRoom) this.enteredRoom(next);
    if (wasIn && !next.inRoom) this.leftRoom();
    if (next.inRoom) {
      if (wasIn) this.emit("room-link", next);
      const privileged = next.role === "host" || next.role === "moderator";
      const wasPrivileged = wasIn && (previous.role === "host" || previous.role === "moderator");
      if (privileged && (!wasPrivileged || previous.audienceCount !== next.audienceCount)) this.scheduleAudienceRefresh(!wasPrivileged);
      if (!privileged) this.audiencePage = null;
      if (previous && previous.me && previous.me.invited && !(next.me && next.me.invited)) this.inviteSeen = false;
      if (wasIn && previous.role !== next.role) this.inviteSeen = false;
      if (next.role === "listener") this.emit("stop-microphone");
    }
    this.askForDirectoryIfWanted(next);
    if (next.connection === "open") this.relayNotice = "";
    this.emit("state", { previous, next });
    this.changed();
  }

  enteredRoom(state) {
    this.timers.clear(this.requestTimer);
    this.pendingCreate = null;
    this.pendingJoin = null;
    this.removed = null;
    this.rejoining = null;
    this.audiencePage = null;
    this.audienceOffset = 0;
    this.linkChanged = false;
    this.reactions = [];
    this.emit("entered", state);
  }

  leftRoom() {
    this.emit("stop-microphone");
    this.audiencePage = null;
    this.inviteSeen = false;
    this.reactions = [];
    this.timers.clear(this.audienceTimer);
    this.directory.loaded = false;
    this.directory.asked = false;
    // Out of the room because the relay was lost: the link stays, so a reload still finds the room.
    this.emit("left", { keepLink: Boolean(this.state && this.state.rejoining) });
  }

  onEvent(event) {
    switch (event.type) {
      case "room_created": {
        const closed = Boolean(event.invite || event.admission);
        const pending = this.pendingCreate ?? { localTitle: "", kind: closed ? "closed" : "open", stageOnly: false };
        this.rooms.set(event.room, {
          title: pending.localTitle, kind: pending.kind, invite: event.invite ?? null, stageOnly: pending.stageOnly,
        });
        break;
      }
      case "joined":
        this.emit("clear-error");
        if (!this.rooms.has(event.room)) this.rooms.set(event.room, { title: null, kind: null, invite: null, stageOnly: false });
        break;
      case "invited_to_stage":
        this.inviteSeen = true;
        this.emit("announce", "You have been invited to speak. Accept or decline.");
        break;
      case "removed":
        this.inviteSeen = false;
        this.emit("stop-microphone");
        if (event.reason === "disconnected" && this.removed && this.removed.reason === "room_lost") {
          // The core gave up rejoining (rejoin_failed came first and said so).
        } else if (event.reason === "disconnected" && this.state && this.state.room) {
          // The session forgets the room when the socket drops and the worker joins it again on
          // reconnect: show that, not a removal.
          this.rejoining = { room: this.state.room };
          this.emit("announce", "Connection lost. Rejoining the room when the relay is back.");
        } else if (event.reason === "left" || event.reason === "left_quietly" || (event.reason === "room_ended" && this.endingRoom)) {
          // The member's own doing: straight back to the start screen.
          this.rejoining = null;
          this.emit("announce", event.reason === "room_ended" ? "You ended the room." : removalMessage(event.reason));
        } else {
          this.rejoining = null;
          this.removed = { reason: event.reason };
          this.emit("announce", removalMessage(event.reason));
        }
        this.endingRoom = false;
        break;
      case "error":
        this.onErrorEvent(event);
        break;
      case "speaker_alarm":
        this.onSpeakerAlarm(event);
        break;
      case "security_alarm":
        this.addAlarm(securityAlarmMessage(event), event.kind);
        break;
      case "admission_changed":
        if (this.state && this.state.inRoom) {
          this.linkChanged = true;
          this.emit("announce", ADMISSION_CHANGED);
        }
        break;
      case "audience_page":
        this.audiencePage = { total: event.total, offset: event.offset ?? this.audienceOffset, members: Array.isArray(event.members) ? event.members : [] };
        this.audienceOffset = this.audiencePage.offset;
        break;
      case "directory":
        this.directory.rooms = Array.isArray(event.rooms) ? event.rooms : [];
        this.directory.total = Number.isInteger(event.total) ? event.total : this.directory.rooms.length;
        this.directory.offset = Number.isInteger(event.offset) ? event.offset : this.directory.requestedOffset;
        this.directory.loaded = true;
        for (const room of this.directory.rooms) {
          const known = this.rooms.get(room.room);
          if (!known || !known.title) this.rooms.set(room.room, { title: cleanText(room.title, MAX_TITLE_BYTES), kind: "open", invite: null, stageOnly: false });
        }
        break;
      case "connection_lost":
        // The core keeps the room and rejoins it (its creator re-creates it) once a relay is back.
        this.inviteSeen = false;
        this.emit("stop-microphone");  // the relay-status line says what happened (and is a live region)
        break;
      case "rejoined":
        this.rejoining = null;
        this.removed = null;
        this.emit("announce", event.recreated ? "Back in the room: you opened it again on the relay." : "Back in the room.");
        break;
      case "rejoin_failed":
      case "relay_lost":
        // Gave up (the core on the room, or the worker on every relay): the room is lost.
        if (event.type === "rejoin_failed" || this.rejoining || (this.state && this.state.rejoining)) {
          this.rejoining = null;
          this.removed = { reason: "room_lost" };
          this.emit("announce", removalMessage("room_lost"));
        }
        break;
      case "relay_shutdown": {
        const seconds = Math.max(1, Math.round((event.reconnectAfterMs ?? 2000) / 1000));
        this.relayNotice = `The relay is restarting; reconnecting in about ${seconds} s.`;
        this.emit("announce", this.relayNotice);
        break;
      }
      case "reaction":
        this.onReaction(event);
        break;
      default:
        break;
    }
    this.changed();
  }

  onErrorEvent(event) {
    if (this.timers.now() < this.quietUntil && ["bad_request", "not_in_room", "not_member"].includes(event.name)) return;
    if (this.rejoining && refusesJoin(event)) {
      this.rejoining = null;
      this.removed = { reason: "disconnected" };
    }
    // The worker reports a core that would not load, or a socket it cannot open, this way.
    if (event.name === "client_unavailable") {
      this.fail("client_unavailable");
      return;
    }
    const inRoom = Boolean(this.state && this.state.inRoom);
    // No encoder means nothing is sent: the worker muted the member, so close the microphone too
    // (the next unmute opens it again and loads the encoder).
    if (event.name === "encoder_unavailable" && event.muted) this.emit("stop-microphone");
    if (this.pendingJoin || this.pendingCreate) {
      if (refusesJoin(event) || !inRoom) {
        this.timers.clear(this.requestTimer);
        this.pendingJoin = null;
        this.pendingCreate = null;
      }
    }
    this.emit("error", { error: event });
  }

  onSpeakerAlarm(event) {
    const stage = this.state && Array.isArray(this.state.stage) ? this.state.stage : [];
    const member = stage.find((entry) => entry.id === event.sender || entry.index === event.sender);
    const who = member ? (cleanText(member.name, 64) ?? shortId(member.id)) : null;
    this.addAlarm(speakerAlarmMessage(event, who), event.forged ? "forged_speaker" : "unverified_speaker");
  }

  // Security alarms stay listed (each once) until dismissed or a new room is entered.
  addAlarm(text, kind) {
    if (this.alarms.some((alarm) => alarm.text === text)) return;
    this.alarms.push({ text, kind });
    if (this.alarms.length > 8) this.alarms.shift();
    this.changed();
  }
  clearAlarms() {
    this.alarms = [];
    this.changed();
  }

  // ---- reactions ----
  // A reaction the core decrypted and authenticated: shown for REACTION_SHOWN_MS, at most
  // MAX_SHOWN_REACTIONS at once (the oldest is dropped first). Unknown names never get here from
  // the core; a worker that sent one anyway is ignored.
  onReaction(event) {
    const known = REACTION_BY_NAME.get(event.name);
    if (!known || typeof event.member !== "string") return;
    const shown = { id: this.nextReactionId++, member: event.member, index: event.index, name: known.name, emoji: known.emoji, at: this.timers.now() };
    this.reactions.push(shown);
    if (this.reactions.length > MAX_SHOWN_REACTIONS) this.reactions.shift();
    this.emit("reaction", shown);
    this.timers.set(() => {
      const before = this.reactions.length;
      this.reactions = this.reactions.filter((reaction) => reaction.id !== shown.id);
      if (this.reactions.length !== before) this.changed();
    }, REACTION_SHOWN_MS);
  }
  // Sends one of REACTIONS (by name) and shows it on this member's own avatar at once: the relay
  // does not echo a member's reactions back. False when not in a room or not a known reaction.
  react(name) {
    const known = REACTION_BY_NAME.get(name);
    if (!known || !(this.state && this.state.inRoom)) return false;
    if (!this.post({ type: "reaction", name })) return false;
    this.onReaction({ name, member: this.state.id, index: this.state.index });
    return true;
  }

  // ---- requests ----
  // True when the request went out; false while the previous one is cooling down.
  requestDirectory(offset) {
    if (this.directory.cooling) return false;
    this.directory.cooling = true;
    this.directory.requestedOffset = Math.max(0, offset);
    this.post({ type: "directory", offset: this.directory.requestedOffset, limit: DIRECTORY_PAGE });
    this.timers.set(() => {
      this.directory.cooling = false;
      // A new connection that came up while cooling still wants its listing.
      this.askForDirectoryIfWanted(this.state);
      this.changed();
    }, DIRECTORY_COOLDOWN_MS);
    this.changed();
    return true;
  }

  // On the start screen with an open connection and no listing yet: ask once.
  askForDirectoryIfWanted(state) {
    if (!state || state.connection !== "open" || state.inRoom) return;
    if (this.directory.loaded || this.directory.asked) return;
    this.directory.asked = this.requestDirectory(this.directory.offset);
  }

  requestAudience(offset) {
    this.audienceOffset = Math.max(0, offset);
    this.post({ type: "audience", offset: this.audienceOffset, limit: AUDIENCE_PAGE });
  }

  scheduleAudienceRefresh(now) {
    this.timers.clear(this.audienceTimer);
    this.audienceTimer = this.timers.set(() => this.requestAudience(this.audienceOffset), now ? 0 : AUDIENCE_REFRESH_DELAY_MS);
  }

  startRequest(kind) {
    this.timers.clear(this.requestTimer);
    this.requestTimer = this.timers.set(() => {
      if (this.state && this.state.inRoom) return;
      this.pendingJoin = null;
      this.pendingCreate = null;
      this.emit("error", { error: { name: "request_timeout" }, prefix: kind === "join" ? "Joining took too long." : "Creating the room took too long." });
      this.changed();
    }, REQUEST_TIMEOUT_MS);
  }

  // `link`: {room, invite, admission, host} from parseRoomLink (the last three may be null).
  join(link, name) {
    const { room } = link;
    const invite = link.invite ?? null;
    const closed = Boolean(invite || link.admission);
    if (!this.rooms.has(room)) this.rooms.set(room, { title: null, kind: closed ? "closed" : null, invite, stageOnly: false });
    else if (invite) this.rooms.get(room).invite = invite;
    this.pendingJoin = { room, invite, admission: link.admission ?? null, host: link.host ?? null };
    this.emit("clear-error");
    this.clearAlarms();
    this.startRequest("join");
    this.post({ type: "join", ...this.pendingJoin, name });
    this.emit("announce", "Joining the room…");
    this.changed();
  }

  // `room`: what validateNewRoom returned (ok).
  createRoom(room, name) {
    this.pendingCreate = { localTitle: room.localTitle, kind: room.kind, stageOnly: room.stageOnly };
    this.emit("clear-error");
    this.clearAlarms();
    this.startRequest("create");
    this.post({ type: "create-room", kind: room.kind, stageOnly: room.stageOnly, title: room.sentTitle, name });
    this.emit("announce", "Creating the room…");
    this.changed();
  }

  // Stops waiting to get back into a lost room (the worker forgets it).
  cancelRejoin() {
    this.rejoining = null;
    this.quietUntil = this.timers.now() + 3000;
    this.act({ type: "leave", quietly: false });
    if (this.state && this.state.connection === "open") this.requestDirectory(0);
    this.changed();
  }

  dismissRemoval() {
    this.removed = null;
    if (this.state && this.state.connection === "open") this.requestDirectory(0);
    this.changed();
  }

  endRoom() {
    this.endingRoom = true;
    this.act({ type: "end_room" });
  }
}
