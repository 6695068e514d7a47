import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  ACTIONS, ACTING_ON_SELF, ACTING_ON_OTHER, NEEDS_AUDIENCE, decideSelf, decideOther, memberActions, selfActions,
} from "../../../web/lib/permissions.js";

const header = readFileSync(new URL("../../../core/room/include/stoa/room/permissions.hpp", import.meta.url), "utf8");

function section(start, end) {
  const from = header.indexOf(start);
  const to = header.indexOf(end, from);
  assert.ok(from >= 0 && to > from, `section ${start} not found in permissions.hpp`);
  return header.slice(from, to);
}

test("the untargeted table matches permissions.hpp row by row", () => {
  const text = section("acting_on_self{{", "}};");
  const rows = [...text.matchAll(/\/\*\s*(\w+)\s*\*\/\s*\{([^}]*)\}/g)];
  assert.deepEqual(rows.map((row) => row[1]), ACTIONS);
  for (const [, action, cells] of rows) {
    assert.deepEqual(cells.split(",").map((cell) => cell.trim()), ACTING_ON_SELF[action], action);
  }
});

test("the targeted tables match permissions.hpp grid by grid", () => {
  const text = section("acting_on_other{{", "}};");
  const rows = [...text.matchAll(/\/\*\s*(\w+)\s*\*\/\s*(never|\{\{\{.*?\}\}\})/g)];
  assert.deepEqual(rows.map((row) => row[1]), ACTIONS);
  for (const [, action, body] of rows) {
    const expected = body === "never"
      ? Array.from({ length: 4 }, () => ["P", "P", "P", "P"])
      : [...body.matchAll(/\{([^{}]*)\}/g)].map((row) => row[1].split(",").map((cell) => cell.trim()));
    assert.deepEqual(ACTING_ON_OTHER[action], expected, action);
  }
});

test("the stage-only refusals match needs_audience in permissions.hpp", () => {
  const text = section("needs_audience{{", "}};");
  const flags = text.slice(text.indexOf("{{") + 2).split(",").map((cell) => cell.trim()).filter(Boolean);
  assert.equal(flags.length, ACTIONS.length);
  ACTIONS.forEach((action, position) => assert.equal(NEEDS_AUDIENCE.has(action), flags[position] === "true", action));
});

test("decisions read the right cells", () => {
  assert.equal(decideSelf("end_room", "host"), "A");
  assert.equal(decideSelf("end_room", "moderator"), "P");
  assert.equal(decideSelf("move_to_audience", "host"), "P");   // the host cannot step down
  assert.equal(decideOther("kick", "moderator", "moderator"), "P");
  assert.equal(decideOther("kick", "host", "moderator"), "A");
  assert.equal(decideOther("promote_moderator", "moderator", "speaker"), "A");
  assert.equal(decideOther("demote_moderator", "moderator", "moderator"), "P");
  assert.equal(decideOther("kick", "host", "nobody"), "P");
  assert.equal(decideOther("no_such_action", "host", "speaker"), "P");
});

const SELF = "00".repeat(16);
const member = (role, extra = {}) => ({ id: "11".repeat(16), role, moderatorMuted: false, invited: false, ...extra });

test("a host may do everything to a speaker but invite them", () => {
  assert.deepEqual(memberActions({ myId: SELF, myRole: "host" }, member("speaker")),
    ["move_to_audience", "moderator_mute", "promote_moderator", "kick", "ban"]);
});

test("a moderator cannot move, demote, kick or ban another moderator, but may mute one", () => {
  assert.deepEqual(memberActions({ myId: SELF, myRole: "moderator" }, member("moderator")), ["moderator_mute"]);
  assert.deepEqual(memberActions({ myId: SELF, myRole: "host" }, member("moderator")),
    ["move_to_audience", "moderator_mute", "demote_moderator", "kick", "ban"]);
});

test("nobody acts on the host, listeners and speakers act on nobody, nobody on themselves", () => {
  for (const role of ["host", "moderator", "speaker", "listener"]) {
    assert.deepEqual(memberActions({ myId: SELF, myRole: role }, member("host")), [], role);
  }
  for (const target of ["listener", "speaker", "moderator"]) {
    assert.deepEqual(memberActions({ myId: SELF, myRole: "speaker" }, member(target)), []);
    assert.deepEqual(memberActions({ myId: SELF, myRole: "listener" }, member(target)), []);
  }
  assert.deepEqual(memberActions({ myId: SELF, myRole: "host" }, { ...member("speaker"), id: SELF }), []);
});

test("state checks hide what the room would refuse: muting the muted, inviting the invited", () => {
  assert.ok(!memberActions({ myId: SELF, myRole: "host" }, member("speaker", { moderatorMuted: true })).includes("moderator_mute"));
  assert.deepEqual(memberActions({ myId: SELF, myRole: "moderator" }, member("listener")), ["invite_to_stage", "kick", "ban"]);
  assert.deepEqual(memberActions({ myId: SELF, myRole: "moderator" }, member("listener", { invited: true })), ["kick", "ban"]);
});

test("a stage-only room offers no audience actions", () => {
  assert.deepEqual(memberActions({ myId: SELF, myRole: "host", stageOnly: true }, member("speaker")),
    ["moderator_mute", "promote_moderator", "kick", "ban"]);
  assert.equal(selfActions({ role: "speaker", me: {}, stageOnly: true }).stepDown, false);
});

test("own controls follow role and flags", () => {
  const listener = selfActions({ role: "listener", me: { hand: false, invited: false } });
  assert.equal(listener.raiseHand, true);
  assert.equal(listener.lowerHand, false);
  assert.equal(listener.mute || listener.unmute, false);
  assert.equal(listener.stepDown, false);
  assert.equal(listener.leave, true);

  const raised = selfActions({ role: "listener", me: { hand: true, invited: true } });
  assert.equal(raised.raiseHand, false);
  assert.equal(raised.lowerHand, true);
  assert.equal(raised.respondToInvite, true);

  const speaker = selfActions({ role: "speaker", me: { selfMuted: true } });
  assert.equal(speaker.unmute, true);
  assert.equal(speaker.mute, false);
  assert.equal(speaker.raiseHand, false);
  assert.equal(speaker.stepDown, true);
  assert.equal(speaker.endRoom, false);

  const mutedByModerator = selfActions({ role: "moderator", me: { selfMuted: false, moderatorMuted: true } });
  assert.equal(mutedByModerator.unmute, true);   // unmuting lifts a moderator's mute

  const host = selfActions({ role: "host", me: { selfMuted: false } });
  assert.equal(host.mute, true);
  assert.equal(host.endRoom, true);
  assert.equal(host.stepDown, false);

  assert.equal(selfActions({ role: "host", me: {}, inRoom: false }).leave, false);
});
