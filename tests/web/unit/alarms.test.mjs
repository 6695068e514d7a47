import { test } from "node:test";
import assert from "node:assert/strict";
import { SECURITY_ALARMS, securityAlarmMessage, speakerAlarmMessage } from "../../../web/lib/alarms.js";

test("every alarm kind the core raises has its own sentence", () => {
  const kinds = ["host_key_changed", "member_id_mismatch", "unadmitted_member", "replayed_key_package"];
  assert.deepEqual(Object.keys(SECURITY_ALARMS).sort(), [...kinds].sort());
  const texts = kinds.map((kind) => securityAlarmMessage({ type: "security_alarm", kind, member: "00", index: 1 }));
  assert.equal(new Set(texts).size, kinds.length);
  assert.match(securityAlarmMessage({ kind: "host_key_changed" }), /host's key changed.*impersonating the host.*Compare security codes/);
  assert.match(securityAlarmMessage({ kind: "unadmitted_member" }), /without this room's invite secret.*cannot hear the room/);
});

test("an unknown or missing kind still warns, and no prototype name is taken for a kind", () => {
  assert.match(securityAlarmMessage({ kind: "something_new" }), /^Warning:/);
  assert.match(securityAlarmMessage({ kind: "toString" }), /^Warning:/);
  assert.match(securityAlarmMessage(null), /^Warning:/);
});

test("speaker alarms name the speaker and say forged or unverified", () => {
  assert.match(speakerAlarmMessage({ forged: true }, "Ada"), /claimed to come from Ada was forged/);
  assert.match(speakerAlarmMessage({ forged: false }, "Ada"), /unverified speaker.*attributed to Ada/);
  assert.match(speakerAlarmMessage({ forged: false }, null), /a speaker/);
});
