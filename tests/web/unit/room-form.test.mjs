import { test } from "node:test";
import assert from "node:assert/strict";
import { validateNewRoom, MAX_TITLE_BYTES } from "../../../web/lib/room-form.js";

test("an open room needs a title, which is sent", () => {
  assert.equal(validateNewRoom({ title: "  ", kind: "open" }).ok, false);
  assert.deepEqual(validateNewRoom({ title: " Friday jazz ", kind: "open", stageOnly: false }),
    { ok: true, kind: "open", stageOnly: false, localTitle: "Friday jazz", sentTitle: "Friday jazz" });
});

test("a closed room's title stays local and may be empty", () => {
  const result = validateNewRoom({ title: "Family call", kind: "closed", stageOnly: true });
  assert.equal(result.sentTitle, null);
  assert.equal(result.localTitle, "Family call");
  assert.equal(result.stageOnly, true);
  assert.equal(validateNewRoom({ title: "", kind: "closed" }).ok, true);
});

test("titles are cut to the protocol's byte limit; an unknown kind is refused", () => {
  const result = validateNewRoom({ title: "é".repeat(100), kind: "open" });
  assert.equal(new TextEncoder().encode(result.sentTitle).length, MAX_TITLE_BYTES);
  assert.equal(validateNewRoom({ title: "x", kind: "secret" }).ok, false);
});
