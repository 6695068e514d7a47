// The relays a page may connect to (docs/web-client.md, "Relays"): the page's own origin first,
// then the web root's config.json (`{"relays": [...]}`), then a room link's `relays=` field. The
// worker tries them in that order, moving to the next one whenever a connection is lost
// (web/reconnect-policy.js). Pure: no DOM, no fetch.

export const MAX_RELAYS = 8;

// One relay address as the worker opens it, or null when it is not one: ws:// or wss:// URLs are
// taken as they are (a path-less one gets /ws); http:// and https:// name a relay's web origin and
// become ws:// / wss:// ending in /ws. A page served over https may use only wss:// relays (the
// browser refuses the rest as mixed content). Credentials, queries and fragments are refused.
export function normalizeRelayUrl(text, { secure = false } = {}) {
  if (typeof text !== "string") return null;
  let url;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  const schemes = { "ws:": "ws:", "wss:": "wss:", "http:": "ws:", "https:": "wss:" };
  const scheme = schemes[url.protocol];
  if (!scheme || !url.hostname || url.username || url.password || url.search || url.hash) return null;
  if (secure && scheme !== "wss:") return null;
  const path = url.pathname === "/" || url.pathname === "" ? "/ws" : url.pathname;
  return `${scheme}//${url.host}${path}`;
}

// The `relays=` field of a link's fragment: comma-separated relay URLs (each may be
// percent-encoded). Unusable entries are skipped; returns [] when there is no such field.
export function relaysFromFragment(fragment, options = {}) {
  const text = typeof fragment === "string" ? fragment.replace(/^#/, "") : "";
  const field = new URLSearchParams(text).get("relays");
  if (!field) return [];
  return field.split(",").map((entry) => normalizeRelayUrl(entry, options)).filter(Boolean);
}

// The page config's `relays` array (config.json at the web root), [] for anything else.
export function relaysFromConfig(config, options = {}) {
  if (!config || typeof config !== "object" || !Array.isArray(config.relays)) return [];
  return config.relays.map((entry) => normalizeRelayUrl(entry, options)).filter(Boolean);
}

// The list the worker gets: `own` (this page's relay) first, then the others in order, each once,
// at most MAX_RELAYS.
export function relayList(own, ...others) {
  const out = [];
  for (const url of [own, ...others.flat()]) {
    if (typeof url === "string" && url !== "" && !out.includes(url)) out.push(url);
  }
  return out.slice(0, MAX_RELAYS);
}

// The status line while the relay is lost: what the person reads, and a screen reader hears.
export function lostRelayText(attempt) {
  const n = Number.isInteger(attempt) && attempt > 0 ? attempt : 1;
  return `Lost the relay — reconnecting (attempt ${n})…`;
}
