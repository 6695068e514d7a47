// Room links: `${origin}/#room=<32 hex>&invite=<64 hex>&admission=<64 hex>&host=<64 hex>`, every
// field after `room` optional (docs/web-client.md, "Room links"). The fragment never reaches a
// server: the relay's invite token, the closed room's end-to-end admission secret and the host's
// public key stay between the people who share the link. Links from before `admission` and `host`
// existed still parse.

const ROOM_ID = /^[0-9a-f]{32}$/;
const HEX_64 = /^[0-9a-f]{64}$/;

// An optional 64-hex-digit field: null when absent or empty, undefined when damaged.
function optionalHex64(params, name) {
  const value = params.get(name);
  if (value === null || value === "") return null;
  const folded = value.toLowerCase();
  return HEX_64.test(folded) ? folded : undefined;
}

// Accepts a full link, a bare fragment ("#room=…", "room=…&invite=…") or a bare room id.
// Returns {ok: true, room, invite, admission, host, origin} (origin null unless a full URL was
// given; the rest null when the link lacks them) or {ok: false, reason} with reason "empty",
// "no_room", "bad_room", "bad_invite", "bad_admission" or "bad_host".
export function parseRoomLink(input) {
  const text = typeof input === "string" ? input.trim() : "";
  if (text === "") return { ok: false, reason: "empty" };

  let origin = null;
  let fragment = text;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url;
    try {
      url = new URL(text);
    } catch {
      return { ok: false, reason: "no_room" };
    }
    origin = url.origin;
    fragment = url.hash;
  }
  fragment = fragment.replace(/^#/, "");
  if (ROOM_ID.test(fragment.toLowerCase())) {
    return { ok: true, room: fragment.toLowerCase(), invite: null, admission: null, host: null, origin };
  }

  const params = new URLSearchParams(fragment);
  const room = params.get("room");
  if (room === null || room === "") return { ok: false, reason: "no_room" };
  if (!ROOM_ID.test(room.toLowerCase())) return { ok: false, reason: "bad_room" };
  const invite = optionalHex64(params, "invite");
  if (invite === undefined) return { ok: false, reason: "bad_invite" };
  const admission = optionalHex64(params, "admission");
  if (admission === undefined) return { ok: false, reason: "bad_admission" };
  const host = optionalHex64(params, "host");
  if (host === undefined) return { ok: false, reason: "bad_host" };
  return { ok: true, room: room.toLowerCase(), invite, admission, host, origin };
}

// `invite` is the relay's token; `extra` holds the closed room's `admission` secret and the
// `host` key, each 64 hex digits or null, and `relays`: more relay URLs the link hands on
// (lib/relays.js reads them back).
export function formatRoomLink(origin, room, invite = null, extra = {}) {
  const base = String(origin).replace(/\/+$/, "");
  return `${base}/${formatRoomHash(room, invite, extra)}`;
}

// The hash alone, for history.replaceState while in a room.
export function formatRoomHash(room, invite = null, { admission = null, host = null, relays = [] } = {}) {
  let hash = `#room=${room}`;
  if (invite) hash += `&invite=${invite}`;
  if (admission) hash += `&admission=${admission}`;
  if (host) hash += `&host=${host}`;
  if (Array.isArray(relays) && relays.length > 0) hash += `&relays=${relays.map(encodeURIComponent).join(",")}`;
  return hash;
}

export function linkProblem(reason) {
  switch (reason) {
    case "empty": return "Paste a room link first.";
    case "no_room": return "That is not a Stoa room link (it has no room in it).";
    case "bad_room": return "The room id in that link is damaged: it should be 32 hexadecimal characters.";
    case "bad_invite": return "The invitation in that link is damaged: it should be 64 hexadecimal characters.";
    case "bad_admission": return "The room secret in that link is damaged: it should be 64 hexadecimal characters.";
    case "bad_host": return "The host's key in that link is damaged: it should be 64 hexadecimal characters.";
    default: return "That link could not be read.";
  }
}

// The WebSocket endpoint of the relay that served this page.
export function relayUrl(location) {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
}
