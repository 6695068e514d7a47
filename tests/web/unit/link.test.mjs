import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRoomLink, formatRoomLink, formatRoomHash, linkProblem, relayUrl } from "../../../web/lib/link.js";

const ROOM = "404142434445464748494a4b4c4d4e4f";
const INVITE = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
const SECRET = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
const HOST = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";
const NONE = { admission: null, host: null };

test("a full closed-room link gives room, invite and the origin it points at", () => {
  assert.deepEqual(parseRoomLink(`https://stoa.example/#room=${ROOM}&invite=${INVITE}`),
    { ok: true, room: ROOM, invite: INVITE, ...NONE, origin: "https://stoa.example" });
});

test("a link with the closed room's secret and the host's key gives both back", () => {
  assert.deepEqual(parseRoomLink(`https://stoa.example/#room=${ROOM}&invite=${INVITE}&admission=${SECRET}&host=${HOST}`),
    { ok: true, room: ROOM, invite: INVITE, admission: SECRET, host: HOST, origin: "https://stoa.example" });
  assert.deepEqual(parseRoomLink(`#host=${HOST.toUpperCase()}&room=${ROOM}`),
    { ok: true, room: ROOM, invite: null, admission: null, host: HOST, origin: null });
});

test("the fragment alone, with or without '#', and a bare room id are accepted", () => {
  assert.deepEqual(parseRoomLink(`#room=${ROOM}`), { ok: true, room: ROOM, invite: null, ...NONE, origin: null });
  assert.deepEqual(parseRoomLink(`room=${ROOM}&invite=${INVITE}`), { ok: true, room: ROOM, invite: INVITE, ...NONE, origin: null });
  assert.deepEqual(parseRoomLink(`  ${ROOM}\n`), { ok: true, room: ROOM, invite: null, ...NONE, origin: null });
});

test("parameter order and a port in the origin do not matter; upper case is folded", () => {
  const parsed = parseRoomLink(`http://localhost:8080/#invite=${INVITE.toUpperCase()}&room=${ROOM.toUpperCase()}`);
  assert.deepEqual(parsed, { ok: true, room: ROOM, invite: INVITE, ...NONE, origin: "http://localhost:8080" });
});

test("damaged links are refused with the reason", () => {
  assert.deepEqual(parseRoomLink(""), { ok: false, reason: "empty" });
  assert.deepEqual(parseRoomLink("   "), { ok: false, reason: "empty" });
  assert.deepEqual(parseRoomLink(undefined), { ok: false, reason: "empty" });
  assert.deepEqual(parseRoomLink("https://stoa.example/"), { ok: false, reason: "no_room" });
  assert.deepEqual(parseRoomLink("hello there"), { ok: false, reason: "no_room" });
  assert.deepEqual(parseRoomLink(`#room=${ROOM.slice(1)}`), { ok: false, reason: "bad_room" });
  assert.deepEqual(parseRoomLink(`#room=${ROOM.slice(0, 31)}g`), { ok: false, reason: "bad_room" });
  assert.deepEqual(parseRoomLink(`#room=${ROOM}&invite=${INVITE.slice(2)}`), { ok: false, reason: "bad_invite" });
  assert.deepEqual(parseRoomLink(`#room=${ROOM}&invite=${INVITE}00`), { ok: false, reason: "bad_invite" });
  assert.deepEqual(parseRoomLink("https://[bad"), { ok: false, reason: "no_room" });
  assert.deepEqual(parseRoomLink(`#room=${ROOM}&admission=${SECRET.slice(1)}`), { ok: false, reason: "bad_admission" });
  assert.deepEqual(parseRoomLink(`#room=${ROOM}&host=${HOST}zz`), { ok: false, reason: "bad_host" });
});

test("an empty invite parameter is an open-room link", () => {
  assert.deepEqual(parseRoomLink(`#room=${ROOM}&invite=`), { ok: true, room: ROOM, invite: null, ...NONE, origin: null });
});

test("formatting and parsing round-trip, and a trailing slash on the origin is not doubled", () => {
  const link = formatRoomLink("https://stoa.example/", ROOM, INVITE);
  assert.equal(link, `https://stoa.example/#room=${ROOM}&invite=${INVITE}`);
  const parsed = parseRoomLink(link);
  assert.equal(parsed.room, ROOM);
  assert.equal(parsed.invite, INVITE);
  assert.equal(formatRoomLink("https://stoa.example", ROOM), `https://stoa.example/#room=${ROOM}`);
  assert.equal(formatRoomHash(ROOM, null), `#room=${ROOM}`);
  assert.equal(formatRoomHash(ROOM, INVITE), `#room=${ROOM}&invite=${INVITE}`);
  const full = formatRoomLink("https://stoa.example", ROOM, INVITE, { admission: SECRET, host: HOST });
  assert.equal(full, `https://stoa.example/#room=${ROOM}&invite=${INVITE}&admission=${SECRET}&host=${HOST}`);
  assert.deepEqual(parseRoomLink(full),
    { ok: true, room: ROOM, invite: INVITE, admission: SECRET, host: HOST, origin: "https://stoa.example" });
  assert.equal(formatRoomHash(ROOM, null, { host: HOST }), `#room=${ROOM}&host=${HOST}`);
});

test("every refusal reason has its own explanation", () => {
  const texts = ["empty", "no_room", "bad_room", "bad_invite", "bad_admission", "bad_host", "other"].map(linkProblem);
  assert.equal(new Set(texts).size, texts.length);
});

test("the relay URL follows the page's scheme and host", () => {
  assert.equal(relayUrl({ protocol: "https:", host: "stoa.example" }), "wss://stoa.example/ws");
  assert.equal(relayUrl({ protocol: "http:", host: "localhost:8080" }), "ws://localhost:8080/ws");
});
