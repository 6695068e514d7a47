// Room links: `${origin}/#room=<32 hex>&invite=<64 hex>`. The fragment never reaches a server, so
// the invite token stays between the people who share the link.

const ROOM_ID = /^[0-9a-f]{32}$/;
const INVITE_TOKEN = /^[0-9a-f]{64}$/;

// Accepts a full link, a bare fragment ("#room=…", "room=…&invite=…") or a bare room id.
// Returns {ok: true, room, invite, origin} (origin null unless a full URL was given) or
// {ok: false, reason} with reason "empty", "no_room", "bad_room" or "bad_invite".
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
  if (ROOM_ID.test(fragment.toLowerCase())) return { ok: true, room: fragment.toLowerCase(), invite: null, origin };

  const params = new URLSearchParams(fragment);
  const room = params.get("room");
  if (room === null || room === "") return { ok: false, reason: "no_room" };
  if (!ROOM_ID.test(room.toLowerCase())) return { ok: false, reason: "bad_room" };
  const invite = params.get("invite");
  if (invite !== null && invite !== "" && !INVITE_TOKEN.test(invite.toLowerCase())) return { ok: false, reason: "bad_invite" };
  return { ok: true, room: room.toLowerCase(), invite: invite ? invite.toLowerCase() : null, origin };
}

export function formatRoomLink(origin, room, invite = null) {
  const base = String(origin).replace(/\/+$/, "");
  return invite ? `${base}/#room=${room}&invite=${invite}` : `${base}/#room=${room}`;
}

// The hash alone, for history.replaceState while in a room.
export function formatRoomHash(room, invite = null) {
  return invite ? `#room=${room}&invite=${invite}` : `#room=${room}`;
}

export function linkProblem(reason) {
  switch (reason) {
    case "empty": return "Paste a room link first.";
    case "no_room": return "That is not a Stoa room link (it has no room in it).";
    case "bad_room": return "The room id in that link is damaged: it should be 32 hexadecimal characters.";
    case "bad_invite": return "The invitation in that link is damaged: it should be 64 hexadecimal characters.";
    default: return "That link could not be read.";
  }
}

// The WebSocket endpoint of the relay that served this page.
export function relayUrl(location) {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
}
