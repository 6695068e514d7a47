import { test } from "node:test";
import assert from "node:assert/strict";
import {
  shortId, cleanName, cleanText, normalizeOwnName, truncateToBytes, labelMembers, defaultName, MAX_NAME_BYTES,
} from "../../../web/lib/names.js";

const ALICE = "a1a2a3a4a5a6a7a8a9aaabacadaeaf00";
const ALICE_TWO = "b1b2b3b4b5b6b7b8b9babbbcbdbebf00";
const NAMELESS = "c1c2c3c4c5c6c7c8c9cacbcccdcecf00";

test("a short id is the first eight hex characters", () => {
  assert.equal(shortId(ALICE), "a1a2a3a4");
  assert.equal(shortId(null), "");
});

test("names lose controls and direction overrides, and keep their letters", () => {
  assert.equal(cleanName("Al\u202eice"), "Alice");
  assert.equal(cleanName("  Bob \n\t Smith  "), "Bob Smith");
  assert.equal(cleanName("\u0000\u200f"), null);
  assert.equal(cleanName(""), null);
  assert.equal(cleanName(null), null);
  assert.equal(cleanName("Zoë 🎷"), "Zoë 🎷");
});

test("truncation counts UTF-8 bytes and never splits a character", () => {
  assert.equal(truncateToBytes("abc", 3), "abc");
  assert.equal(truncateToBytes("abcd", 3), "abc");
  assert.equal(truncateToBytes("ééé", 5), "éé");             // 2 bytes each
  assert.equal(truncateToBytes("a🎷b", 4), "a");            // the emoji needs 4 bytes, 1 + 4 > 4
  assert.equal(truncateToBytes("a🎷b", 5), "a🎷");
  const long = normalizeOwnName("ж".repeat(100));           // 2 bytes each
  assert.equal(new TextEncoder().encode(long).length, MAX_NAME_BYTES);
  assert.equal(cleanText("x".repeat(200), 120).length, 120);
});

test("an own name that is only whitespace is empty, so the default applies", () => {
  assert.equal(normalizeOwnName("   "), "");
  assert.equal(defaultName(ALICE), "Guest a1a2");
  assert.equal(defaultName(undefined), "Guest");
});

test("members without a name are labelled by short id; shared names get the short id appended", () => {
  const labels = labelMembers([
    { id: ALICE, name: "Alice" },
    { id: ALICE_TWO, name: "Alice" },
    { id: NAMELESS, name: null },
    { id: "d0".repeat(16), name: "Dora" },
  ]);
  assert.equal(labels.get(ALICE), "Alice (a1a2a3a4)");
  assert.equal(labels.get(ALICE_TWO), "Alice (b1b2b3b4)");
  assert.equal(labels.get(NAMELESS), "c1c2c3c4");
  assert.equal(labels.get("d0".repeat(16)), "Dora");
});

test("names that only differ by hidden characters count as the same name", () => {
  const labels = labelMembers([{ id: ALICE, name: "Alice" }, { id: ALICE_TWO, name: "Ali\u200fce" }]);
  assert.equal(labels.get(ALICE_TWO), "Alice (b1b2b3b4)");
});
