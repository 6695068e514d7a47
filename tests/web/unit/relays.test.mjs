// The page's relay list (web/lib/relays.js): its own relay first, then config.json's, then the
// link's `relays=` field; only usable WebSocket addresses, each once; and the lost-relay status.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  normalizeRelayUrl, relaysFromFragment, relaysFromConfig, relayList, lostRelayText, MAX_RELAYS,
} from "../../../web/lib/relays.js";
import { formatRoomHash, parseRoomLink } from "../../../web/lib/link.js";
import { relayStatus, rejoiningRoom, screenOf } from "../../../web/lib/view-model.js";

const ROOM = "00112233445566778899aabbccddeeff";

test("relay addresses: ws/wss kept, http/https mapped to their /ws, the rest refused", () => {
  const table = [
    ["wss://relay.example/ws", "wss://relay.example/ws"],
    ["ws://127.0.0.1:8080/ws", "ws://127.0.0.1:8080/ws"],
    ["wss://relay.example", "wss://relay.example/ws"],
    ["https://relay.example/", "wss://relay.example/ws"],
    ["http://127.0.0.1:9000", "ws://127.0.0.1:9000/ws"],
    ["  wss://relay.example:8443/stoa/ws  ", "wss://relay.example:8443/stoa/ws"],
    ["ftp://relay.example/", null],
    ["javascript:alert(1)", null],
    ["wss://user:pw@relay.example/ws", null],
    ["wss://relay.example/ws?x=1", null],
    ["relay.example", null],
    ["", null],
    [42, null],
  ];
  for (const [input, expected] of table) assert.equal(normalizeRelayUrl(input), expected, String(input));
});

test("a secure page takes only wss relays", () => {
  assert.equal(normalizeRelayUrl("ws://relay.example/ws", { secure: true }), null);
  assert.equal(normalizeRelayUrl("http://relay.example", { secure: true }), null);
  assert.equal(normalizeRelayUrl("https://relay.example", { secure: true }), "wss://relay.example/ws");
});

test("the link's relays= field: comma-separated, percent-encoded entries, junk skipped", () => {
  const fragment = `#room=${ROOM}&relays=${encodeURIComponent("wss://b.example/ws")},wss://c.example,nonsense`;
  assert.deepEqual(relaysFromFragment(fragment), ["wss://b.example/ws", "wss://c.example/ws"]);
  assert.deepEqual(relaysFromFragment(`#room=${ROOM}`), []);
  assert.deepEqual(relaysFromFragment(""), []);
  assert.deepEqual(relaysFromFragment(undefined), []);
});

test("config.json's relays array; anything else is no list", () => {
  assert.deepEqual(relaysFromConfig({ relays: ["wss://b.example/ws", 7, "https://c.example"] }),
    ["wss://b.example/ws", "wss://c.example/ws"]);
  for (const junk of [null, "x", {}, { relays: "wss://b.example/ws" }, []]) assert.deepEqual(relaysFromConfig(junk), []);
});

test("the list: own relay first, then the rest in order, each once, bounded", () => {
  const own = "ws://127.0.0.1:1/ws";
  assert.deepEqual(relayList(own, ["wss://b/ws", own], ["wss://b/ws", "wss://c/ws"]), [own, "wss://b/ws", "wss://c/ws"]);
  const many = Array.from({ length: 20 }, (_, i) => `wss://r${i}.example/ws`);
  assert.equal(relayList(own, many).length, MAX_RELAYS);
  assert.equal(relayList(own, many)[0], own);
});

test("room links carry the relays on, and parse with them", () => {
  const relays = ["wss://b.example/ws", "wss://c.example/ws"];
  const hash = formatRoomHash(ROOM, null, { relays });
  assert.equal(hash, `#room=${ROOM}&relays=wss%3A%2F%2Fb.example%2Fws,wss%3A%2F%2Fc.example%2Fws`);
  assert.deepEqual(relaysFromFragment(hash), relays);
  assert.equal(parseRoomLink(hash).room, ROOM);
  assert.equal(formatRoomHash(ROOM), `#room=${ROOM}`);
});

test("the lost-relay status names the attempt", () => {
  assert.equal(lostRelayText(3), "Lost the relay — reconnecting (attempt 3)…");
  assert.equal(lostRelayText(undefined), "Lost the relay — reconnecting (attempt 1)…");
});

test("what the page shows while the relay is lost, and after", () => {
  const lost = { connection: "reconnecting", inRoom: false, room: null, rejoining: ROOM, reconnect: { attempt: 2 } };
  assert.equal(relayStatus(lost), "Lost the relay — reconnecting (attempt 2)…");
  assert.equal(screenOf(lost), "rejoining", "not the room: the member is out of it");
  assert.equal(rejoiningRoom(lost), ROOM);

  const back = { ...lost, connection: "open", reconnect: null };
  assert.equal(relayStatus(back), "Back on the relay — rejoining the room…");
  assert.equal(screenOf(back), "rejoining");

  const inRoom = { connection: "open", inRoom: true, room: ROOM, rejoining: null };
  assert.equal(relayStatus(inRoom), "");
  assert.equal(screenOf(inRoom), "room");

  const gaveUp = { connection: "closed", inRoom: false, rejoining: ROOM, reconnect: { attempt: 9, gaveUp: true } };
  assert.equal(relayStatus(gaveUp), "Lost the relay. Could not reconnect.");
  assert.equal(rejoiningRoom(gaveUp), null);
  assert.equal(screenOf(gaveUp, { removed: { reason: "room_lost" } }), "removed");

  // Not in a room: the status still says the relay is lost, the start screen stays.
  const lobby = { connection: "reconnecting", inRoom: false, rejoining: null, reconnect: { attempt: 1 } };
  assert.equal(relayStatus(lobby), "Lost the relay — reconnecting (attempt 1)…");
  assert.equal(screenOf(lobby), "start");
  // An older core: the page's own note of the room.
  assert.equal(screenOf({ connection: "reconnecting", inRoom: false }, { rejoining: { room: ROOM } }), "rejoining");
});
