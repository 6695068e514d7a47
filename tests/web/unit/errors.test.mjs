import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { errorMessage, refusesJoin, removalMessage } from "../../../web/lib/errors.js";

const protocol = readFileSync(new URL("../../../docs/protocol.md", import.meta.url), "utf8");

// Rows "| 206 | `room_full` | ..." of the room and relay tables in section 5.
function errorRows(firstCode, lastCode) {
  return [...protocol.matchAll(/^\| (\d{3}) \| `([a-z0-9_]+)` \|/gm)]
    .map((row) => ({ code: Number(row[1]), name: row[2] }))
    .filter((row) => row.code >= firstCode && row.code <= lastCode);
}

test("every room and relay error in docs/protocol.md has its own message, not a fallback", () => {
  const rows = [...errorRows(200, 299), ...errorRows(500, 599)];
  assert.ok(rows.length >= 35, `expected the room and relay tables, found ${rows.length} rows`);
  for (const row of rows) {
    const fallback = errorMessage({ code: row.code, name: "no_such_name" });
    assert.notEqual(errorMessage(row), fallback, `${row.code} ${row.name} falls back to the generic message`);
  }
});

test("the errors a person is most likely to meet say what happened", () => {
  assert.match(errorMessage({ code: 206, name: "room_full" }), /full/i);
  assert.match(errorMessage({ code: 504, name: "room_full" }), /full/i);
  assert.match(errorMessage({ code: 208, name: "invite_required" }), /invitation link/i);
  assert.match(errorMessage({ code: 503, name: "rate_limited" }), /wait/i);
  assert.match(errorMessage({ code: 205, name: "banned" }), /banned/i);
});

test("unknown names fall back by code range, and junk input does not throw", () => {
  assert.match(errorMessage({ code: 150, name: "future_proto" }), /reload/i);
  assert.match(errorMessage({ code: 399, name: "future_e2ee" }), /encrypted/i);
  assert.match(errorMessage({ code: 450, name: "future_audio" }), /audio/i);
  assert.equal(errorMessage(null), "Something went wrong.");
  assert.equal(errorMessage({ name: "toString" }), "Something went wrong.");  // not Object.prototype's
});

test("join refusals are told apart from refused room actions", () => {
  assert.equal(refusesJoin({ name: "invite_required" }), true);
  assert.equal(refusesJoin({ name: "room_not_found" }), true);
  assert.equal(refusesJoin({ name: "not_permitted" }), false);
  assert.equal(refusesJoin(null), false);
});

test("each leave reason of protocol.md reads differently to the removed member", () => {
  const reasons = protocol.match(/`reason` \(([^)]*)\)/)[1].match(/`([a-z_]+)`/g).map((text) => text.slice(1, -1));
  assert.deepEqual(reasons, ["left", "left_quietly", "disconnected", "kicked", "banned", "room_ended"]);
  const removals = ["disconnected", "kicked", "banned", "room_ended"].map(removalMessage);
  assert.equal(new Set(removals).size, removals.length);
  assert.match(removalMessage("banned"), /banned/);
  assert.match(removalMessage("room_ended"), /ended/);
  assert.equal(removalMessage("something_new"), "You are no longer in the room.");
});
