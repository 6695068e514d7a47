// The headless client (web/client.js) without a page: what it asks the worker for, and what it
// tells its subscribers, driven by the worker's own message shapes (docs/web-client.md). The
// transport records what was posted; the clock and timers are the test's, so nothing sleeps.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  StoaClient, REACTIONS, MAX_SHOWN_REACTIONS, REACTION_SHOWN_MS, REQUEST_TIMEOUT_MS, DIRECTORY_COOLDOWN_MS,
} from "../../../web/client.js";

const ME = "00112233445566778899aabbccddeeff";
const ALICE = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
const ROOM = "404142434445464748494a4b4c4d4e4f";

// A clock the test advances; due timers run in order as it passes them.
function manualTimers() {
  let now = 1_000_000;
  let next = 1;
  const pending = new Map();
  return {
    set(callback, ms) { const id = next++; pending.set(id, { at: now + ms, callback }); return id; },
    clear(id) { pending.delete(id); },
    now: () => now,
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...pending.entries()].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = until;
    },
  };
}

function started() {
  const timers = manualTimers();
  const client = new StoaClient({ timers });
  const posted = [];
  client.attach({ post: (message) => { posted.push(message); } });
  const heard = [];
  for (const type of ["announce", "error", "entered", "left", "reaction", "stop-microphone", "clear-error"]) {
    client.on(type, (detail) => heard.push({ type, detail }));
  }
  return { client, timers, posted, heard };
}

const state = (extra = {}) => ({
  connection: "open", id: ME, room: null, inRoom: false, role: "listener", index: null, keys: false,
  me: null, stage: [], audienceCount: 0, ...extra,
});
const inRoom = (extra = {}) => state({
  room: ROOM, inRoom: true, index: 4, keys: true,
  me: { hand: false, invited: false, selfMuted: true, moderatorMuted: false }, ...extra,
});

test("start hands the worker its seed, the relays in order and the page's origin", () => {
  const { client, posted } = started();
  assert.equal(client.start({ seed: "ab", urls: ["wss://a/ws", "wss://b/ws"], context: "https://a" }), true);
  assert.deepEqual(posted, [{ type: "start", seed: "ab", url: "wss://a/ws", urls: ["wss://a/ws", "wss://b/ws"], context: "https://a" }]);
});

test("without a worker nothing is posted and the caller is told", () => {
  const client = new StoaClient({ timers: manualTimers() });
  assert.equal(client.act({ type: "raise_hand" }), false);
});

test("an open connection asks for the directory once, then waits out the cooldown", () => {
  const { client, timers, posted } = started();
  client.receive({ type: "state", state: state() });
  client.receive({ type: "state", state: state() });
  assert.deepEqual(posted.filter((m) => m.type === "directory"), [{ type: "directory", offset: 0, limit: 20 }]);
  assert.equal(client.requestDirectory(20), false, "cooling down");
  timers.advance(DIRECTORY_COOLDOWN_MS);
  assert.equal(client.requestDirectory(20), true);
  assert.equal(posted.at(-1).offset, 20);
});

test("a join goes to the worker with the link's fields, and entering the room ends the request", () => {
  const { client, timers, posted, heard } = started();
  client.receive({ type: "state", state: state() });
  client.join({ room: ROOM, invite: null, admission: null, host: null }, "Ada");
  assert.deepEqual(posted.at(-1), { type: "join", room: ROOM, invite: null, admission: null, host: null, name: "Ada" });
  assert.ok(client.pendingJoin);
  client.receive({ type: "state", state: inRoom() });
  assert.equal(client.pendingJoin, null);
  assert.ok(heard.some((h) => h.type === "entered"));
  timers.advance(REQUEST_TIMEOUT_MS);
  assert.ok(!heard.some((h) => h.type === "error"), "the timeout was cancelled");
});

test("a join that never completes times out with a typed error", () => {
  const { client, timers, heard } = started();
  client.receive({ type: "state", state: state() });
  client.join({ room: ROOM }, "Ada");
  timers.advance(REQUEST_TIMEOUT_MS);
  const error = heard.find((h) => h.type === "error");
  assert.equal(error.detail.error.name, "request_timeout");
  assert.equal(client.pendingJoin, null);
});

test("a removal by the host is kept for the removed screen; one's own leaving is not", () => {
  const { client } = started();
  client.receive({ type: "state", state: inRoom() });
  client.receive({ type: "event", event: { type: "removed", reason: "kicked" } });
  assert.deepEqual(client.removed, { reason: "kicked" });
  client.dismissRemoval();
  assert.equal(client.removed, null);
  client.receive({ type: "event", event: { type: "removed", reason: "left" } });
  assert.equal(client.removed, null);
});

test("an encoder the worker gave up on (and muted the member for) closes the microphone", () => {
  const { client, posted, heard } = started();
  client.receive({ type: "state", state: inRoom({ role: "host" }) });
  posted.length = 0;
  heard.length = 0;
  client.receive({ type: "event", event: { type: "error", code: 0, name: "encoder_unavailable", message: "404", muted: true } });
  assert.deepEqual(heard.map((h) => h.type), ["stop-microphone", "error"]);
  assert.equal(heard[1].detail.error.name, "encoder_unavailable");
  assert.deepEqual(posted, [], "the worker muted the member itself");

  // Without `muted` (the member was not muted) the microphone is left alone.
  heard.length = 0;
  client.receive({ type: "event", event: { type: "error", code: 0, name: "encoder_unavailable", message: "trap" } });
  assert.deepEqual(heard.map((h) => h.type), ["error"]);
});

test("every worker event is kept in order for the tests' hooks", () => {
  const { client } = started();
  client.receive({ type: "event", event: { type: "keys_changed", epoch: 1 } });
  client.receive({ type: "event", event: { type: "roster_changed" } });
  client.receive({ type: "event", event: null });
  assert.deepEqual(client.events.map((e) => e.type), ["keys_changed", "roster_changed"]);
});

test("a reaction from the core shows for a while, then goes", () => {
  const { client, timers, heard } = started();
  client.receive({ type: "state", state: inRoom() });
  client.receive({ type: "event", event: { type: "reaction", member: ALICE, index: 7, kind: 4, name: "clap" } });
  assert.equal(client.reactions.length, 1);
  assert.deepEqual({ member: client.reactions[0].member, name: client.reactions[0].name, emoji: client.reactions[0].emoji },
    { member: ALICE, name: "clap", emoji: "👏" });
  assert.ok(heard.some((h) => h.type === "reaction"));
  timers.advance(REACTION_SHOWN_MS - 1);
  assert.equal(client.reactions.length, 1);
  timers.advance(1);
  assert.equal(client.reactions.length, 0);
});

test("a reaction with a name outside the fixed set is ignored", () => {
  const { client } = started();
  client.receive({ type: "state", state: inRoom() });
  client.receive({ type: "event", event: { type: "reaction", member: ALICE, index: 7, kind: 99, name: "unknown" } });
  client.receive({ type: "event", event: { type: "reaction", member: ALICE, index: 7, name: "<img src=x>" } });
  assert.equal(client.reactions.length, 0);
});

test("a burst of reactions keeps only the newest few on screen", () => {
  const { client } = started();
  client.receive({ type: "state", state: inRoom() });
  for (let i = 0; i < MAX_SHOWN_REACTIONS + 5; ++i) {
    client.receive({ type: "event", event: { type: "reaction", member: ALICE, index: 7, name: REACTIONS[i % REACTIONS.length].name } });
  }
  assert.equal(client.reactions.length, MAX_SHOWN_REACTIONS);
  assert.equal(client.reactions.at(-1).name, REACTIONS[(MAX_SHOWN_REACTIONS + 4) % REACTIONS.length].name);
});

test("reacting posts the reaction and shows it on one's own avatar; out of a room it does nothing", () => {
  const { client, posted } = started();
  client.receive({ type: "state", state: state() });
  assert.equal(client.react("heart"), false);
  client.receive({ type: "state", state: inRoom() });
  assert.equal(client.react("not_a_reaction"), false);
  assert.equal(client.react("heart"), true);
  assert.deepEqual(posted.at(-1), { type: "reaction", name: "heart" });
  assert.equal(client.reactions.at(-1).member, ME);
  client.receive({ type: "state", state: state() });
  assert.equal(client.reactions.length, 0, "leaving clears what was shown");
});

test("the reaction set matches the core's names", () => {
  assert.deepEqual(REACTIONS.map((r) => r.name), ["thumbs_up", "heart", "laugh", "clap", "party", "raised_hand"]);
});
