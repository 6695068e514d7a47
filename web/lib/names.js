// Display names and short ids: names arrive decrypted from other members and are untrusted text,
// so they are cleaned before they reach the page (always as text, never as HTML).

// Most names fit in 64 UTF-8 bytes (docs/security.md, section 8: the profile's name limit).
export const MAX_NAME_BYTES = 64;
export const SHORT_ID_LENGTH = 8;

// C0/C1 controls, and the bidirectional overrides and isolates that let a name reorder the text
// around it (a name could otherwise make "Kick Alice" read as something else).
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]/g;

export function shortId(id) {
  return typeof id === "string" ? id.slice(0, SHORT_ID_LENGTH) : "";
}

// Cleans untrusted text (a name, a room title) for display: no controls or direction overrides,
// whitespace collapsed, at most maxBytes of UTF-8. Null when nothing readable is left.
export function cleanText(text, maxBytes) {
  if (typeof text !== "string") return null;
  const cleaned = truncateToBytes(text.replace(UNSAFE_CHARACTERS, "").replace(/\s+/g, " ").trim(), maxBytes);
  return cleaned === "" ? null : cleaned;
}

export function cleanName(name) {
  return cleanText(name, MAX_NAME_BYTES);
}

// The name this member types for themselves, cleaned the same way and cut to the byte limit on a
// character boundary. Empty input stays empty (the caller picks a default).
export function normalizeOwnName(input) {
  return cleanName(input) ?? "";
}

export function truncateToBytes(text, maxBytes) {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = "";
  let used = 0;
  for (const character of text) {  // iterates code points, so a surrogate pair is never split
    const size = encoder.encode(character).length;
    if (used + size > maxBytes) break;
    out += character;
    used += size;
  }
  return out.trim();
}

// The name to show for one member: their cleaned name, else their short id.
export function baseLabel(member) {
  return cleanName(member.name) ?? shortId(member.id);
}

// Labels for a set of members: a name two members share gets each one's short id appended, so
// "Kick Alice" cannot silently mean the wrong Alice.
export function labelMembers(members) {
  const counts = new Map();
  for (const member of members) {
    const label = baseLabel(member);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const labels = new Map();
  for (const member of members) {
    const label = baseLabel(member);
    labels.set(member.id, counts.get(label) > 1 && cleanName(member.name) !== null ? `${label} (${shortId(member.id)})` : label);
  }
  return labels;
}

// The name sent when the member left the field empty.
export function defaultName(id) {
  return `Guest ${typeof id === "string" && id.length >= 4 ? id.slice(0, 4) : ""}`.trim();
}
