import { test } from "node:test";
import assert from "node:assert/strict";
import { buildView, announcements, roomTitle, screenOf, connectionLabel } from "../../../web/lib/view-model.js";

const ME = "00112233445566778899aabbccddeeff";
const HOST = "101112131415161718191a1b1c1d1e1f";
const SPEAKER = "20212223242526272829202122232425";
const MOD = "30313233343536373839303132333435";
const ROOM = "404142434445464748494a4b4c4d4e4f";
const INVITE = "80".repeat(32);

const entry = (id, role, extra = {}) => ({
  id, index: 0, role, name: null, hand: false, invited: false, selfMuted: true, moderatorMuted: false, speaking: false, ...extra,
});

function roomState(extra = {}) {
  return {
    connection: "open", id: ME, room: ROOM, inRoom: true, role: "listener", keys: false, epoch: null,
    securityCode: null, me: { hand: false, invited: false, selfMuted: true, moderatorMuted: false },
    stage: [
      entry(SPEAKER, "speaker", { index: 5, name: "Sam", selfMuted: false, speaking: true }),
      entry(HOST, "host", { index: 1, name: "Hana" }),
      entry(MOD, "moderator", { index: 3, name: null }),
    ],
    audienceCount: 7, stats: { framesDecrypted: 0, framesSent: 0, decryptFailures: 0 },
    ...extra,
  };
}

test("the stage is ordered host, moderators, speakers; unnamed members show their short id", () => {
  const view = buildView(roomState(), { origin: "https://stoa.example" });
  assert.deepEqual(view.stage.map((member) => member.label), ["Hana", "30313233", "Sam"]);
  assert.deepEqual(view.stage.map((member) => member.roleLabel), ["Host", "Moderator", "Speaker"]);
  assert.equal(view.stage[1].named, false);
  assert.equal(view.stage[2].speaking, true);
  assert.equal(view.stage[2].muteText, "Microphone on");
  assert.equal(view.stage[0].muteText, "Muted");
});

test("a listener sees no member controls, only the audience count and a raise-hand button", () => {
  const view = buildView(roomState(), { origin: "https://stoa.example" });
  assert.ok(view.stage.every((member) => member.controls.length === 0));
  assert.equal(view.audience.visible, false);
  assert.equal(view.room.audienceCount, 7);
  assert.equal(view.actions.raiseHand, true);
  assert.equal(view.me.onStage, false);
});

test("a moderator gets labelled controls the tests can find by name", () => {
  const view = buildView(roomState({ role: "moderator", stage: [
    entry(HOST, "host", { name: "Hana" }), entry(ME, "moderator", { name: "Me" }), entry(SPEAKER, "speaker", { name: "Sam" }),
  ] }), {});
  const sam = view.stage.find((member) => member.id === SPEAKER);
  assert.deepEqual(sam.controls.map((control) => control.label),
    ["Move Sam to audience", "Mute Sam", "Make Sam a moderator", "Kick Sam", "Ban Sam"]);
  assert.deepEqual(view.stage.find((member) => member.id === HOST).controls, []);
  assert.equal(view.stage.find((member) => member.id === ME).isSelf, true);
  assert.deepEqual(view.stage.find((member) => member.id === ME).controls, []);
});

test("the host sees the audience page with raised hands first, each with an invite control", () => {
  const page = { total: 3, offset: 0, members: [
    { id: "a0".repeat(16), name: "Ann", role: "listener", hand: false },
    { id: "b0".repeat(16), name: "Ben", role: "listener", hand: true },
    { id: "c0".repeat(16), name: null, role: "listener", hand: false },
  ] };
  const view = buildView(roomState({ role: "host" }), { audiencePage: page });
  assert.equal(view.audience.visible, true);
  assert.deepEqual(view.audience.members.map((member) => member.label), ["Ben", "Ann", "c0c0c0c0"]);
  assert.deepEqual(view.audience.members[0].controls.map((control) => control.label), ["Invite Ben to speak", "Kick Ben", "Ban Ben"]);
  assert.equal(view.audience.hasNext, false);
  assert.equal(view.actions.endRoom, true);
});

test("an audience page is not shown to someone who lost the privilege", () => {
  const page = { total: 1, offset: 0, members: [{ id: "a0".repeat(16), name: "Ann", role: "listener", hand: false }] };
  const view = buildView(roomState({ role: "speaker" }), { audiencePage: page });
  assert.equal(view.audience.visible, false);
  assert.deepEqual(view.audience.members, []);
});

test("audience paging knows whether there is more", () => {
  const members = Array.from({ length: 50 }, (_, index) => ({ id: index.toString(16).padStart(32, "0"), name: `L${index}`, role: "listener", hand: false }));
  const view = buildView(roomState({ role: "host" }), { audiencePage: { total: 120, offset: 50, members } });
  assert.equal(view.audience.hasPrevious, true);
  assert.equal(view.audience.hasNext, true);
});

test("keys, security code and epoch come through; the link carries the invite when known", () => {
  const view = buildView(roomState({ keys: true, epoch: 4, securityCode: "12345 67890 11111 22222 33333" }),
    { origin: "https://stoa.example", roomInfo: { title: "Family", kind: "closed", invite: INVITE } });
  assert.equal(view.keys, "ready");
  assert.equal(view.room.securityCode, "12345 67890 11111 22222 33333");
  assert.equal(view.room.epoch, 4);
  assert.equal(view.room.link, `https://stoa.example/#room=${ROOM}&invite=${INVITE}`);
  assert.equal(view.room.linkIsInvite, true);
  assert.equal(view.room.title, "Family");
  assert.equal(buildView(roomState(), {}).keys, "waiting");
});

test("the security code's emoji and words forms come through beside the digits, null until keys", () => {
  const view = buildView(roomState({ keys: true, epoch: 4, securityCode: "12345 67890 11111 22222 33333",
    securityEmoji: "🐶 🐱 🦁 🐴 🦄 🐷 🐘 🐰", securityWords: "dog cat lion horse unicorn pig elephant rabbit" }), {});
  assert.equal(view.room.securityEmoji, "🐶 🐱 🦁 🐴 🦄 🐷 🐘 🐰");
  assert.equal(view.room.securityWords, "dog cat lion horse unicorn pig elephant rabbit");
  const waiting = buildView(roomState({ securityEmoji: 7 }), {});
  assert.equal(waiting.room.securityEmoji, null);
  assert.equal(waiting.room.securityWords, null);
});

test("the link carries the closed room's current admission secret and the host's key from the state", () => {
  const SECRET = "ab".repeat(32);
  const HOST = "cd".repeat(32);
  const rotated = "ef".repeat(32);
  const local = { origin: "https://stoa.example", roomInfo: { title: "Family", kind: "closed", invite: INVITE } };
  const view = buildView(roomState({ admission: SECRET, hostKey: HOST }), local);
  assert.equal(view.room.link, `https://stoa.example/#room=${ROOM}&invite=${INVITE}&admission=${SECRET}&host=${HOST}`);
  assert.equal(view.room.linkIsInvite, true);
  // After a kick the worker's state names the new secret: the link follows.
  assert.match(buildView(roomState({ admission: rotated, hostKey: HOST }), local).room.link, new RegExp(`admission=${rotated}&`));
  // An open room's link names the host only.
  const open = buildView(roomState({ admission: null, hostKey: HOST }), { origin: "https://stoa.example", roomInfo: null });
  assert.equal(open.room.link, `https://stoa.example/#room=${ROOM}&host=${HOST}`);
  assert.equal(open.room.linkIsInvite, false);
});

test("room titles: the state's, else the one known locally, else a neutral fallback", () => {
  assert.equal(roomTitle({ room: ROOM, title: "From state" }, { title: "Local" }), "From state");
  assert.equal(roomTitle({ room: ROOM }, { title: " Local\u202e " }), "Local");
  assert.equal(roomTitle({ room: ROOM }, { title: null, kind: "closed" }), "Closed room");
  assert.equal(roomTitle({ room: ROOM }, null), "Room 40414243");
});

test("screens: a failed client, the room, a removal not yet dismissed, else the start", () => {
  assert.equal(screenOf(roomState(), { failed: { name: "client_unavailable" } }), "failed");
  assert.equal(screenOf(roomState(), {}), "room");
  assert.equal(screenOf({ inRoom: false }, { removed: { reason: "kicked" } }), "removed");
  assert.equal(screenOf({ inRoom: false }, { rejoining: { room: ROOM }, removed: { reason: "kicked" } }), "rejoining");
  assert.equal(screenOf(roomState(), { rejoining: { room: ROOM } }), "room");
  assert.equal(screenOf({ inRoom: false }, {}), "start");
  assert.equal(screenOf(null, {}), "start");
  assert.equal(buildView(null, {}).room, null);
  assert.equal(connectionLabel("reconnecting"), "Connection lost, reconnecting…");
});

test("announcements: connection, joining, invitation, role, keys and mute changes", () => {
  const outside = { connection: "connecting", inRoom: false };
  assert.deepEqual(announcements(outside, { ...outside, connection: "open" }), ["Connected to the relay."]);
  assert.deepEqual(announcements({ connection: "reconnecting" }, { connection: "open" }), ["Reconnected."]);

  const joined = roomState();
  assert.deepEqual(announcements({ connection: "open", inRoom: false }, joined), ["You joined the room as listener."]);

  const invited = roomState({ me: { ...joined.me, invited: true } });
  assert.deepEqual(announcements(joined, invited), ["You have been invited to speak. Accept or decline."]);

  const raised = roomState({ me: { ...joined.me, hand: true } });
  assert.deepEqual(announcements(joined, raised), ["Hand raised."]);

  const speaker = roomState({ role: "speaker" });
  assert.match(announcements(invited, speaker)[0], /speaker/);

  const live = roomState({ role: "speaker", me: { ...joined.me, selfMuted: false } });
  assert.deepEqual(announcements(speaker, live), ["Microphone on. You are live."]);
  const moderated = roomState({ role: "speaker", me: { ...joined.me, selfMuted: false, moderatorMuted: true } });
  assert.deepEqual(announcements(live, moderated), ["A moderator muted your microphone."]);

  assert.deepEqual(announcements(joined, roomState({ keys: true })), ["Room keys received: audio is end-to-end encrypted."]);
  assert.deepEqual(announcements(joined, { ...joined, inRoom: false }), ["You are no longer in the room."]);
  // Speaking indicators change ten times a second and are never announced.
  const quiet = roomState({ stage: joined.stage.map((member) => ({ ...member, speaking: false })) });
  assert.deepEqual(announcements(joined, quiet), []);
});
