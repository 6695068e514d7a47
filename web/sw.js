// The service worker that makes Stoa open fast from a room link on a phone (docs/web-client.md,
// "Installable app"): the client's files of one build come from a cache named after that build;
// everything else (config.json's relay list, /healthz, other origins) goes to the network, and
// the WebSocket never passes through here at all.
//
// The build step stamps BUILD (a hash of every staged file) and the two lists below
// (ci/cmake/StoaStampServiceWorker.cmake). Served unstamped (web/ straight from the source tree),
// the worker caches nothing.

const BUILD = "__STOA_BUILD__";
// Fetched when this worker installs: what a listener loads (the page, its scripts, styles, the
// playback worklet, the core wasm); files already loaded come back as 304s, not bodies.
const PRECACHE = ["__STOA_PRECACHE__"];
// Cached the first time the page asks for them: the Opus encoder and capture worklet only a
// speaker loads, and the app icons (the browser fetches those it shows).
const LAZY = ["__STOA_LAZY__"];

const STAMPED = !BUILD.startsWith("__");
const CACHE = `stoa-client-${BUILD}`;
const CACHE_PREFIX = "stoa-client-";
const scopeUrl = new URL(self.registration ? self.registration.scope : self.location.href);
const versioned = new Set([...PRECACHE, ...LAZY].map((file) => new URL(file, scopeUrl).pathname));

self.addEventListener("install", (event) => {
  if (!STAMPED) return;
  // "no-cache": revalidated against the relay (a 304 when the browser holds the same bytes), never
  // a stale copy from the HTTP cache under a new build's name.
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(PRECACHE.map(async (file) => {
      // The page was loaded as the scope's URL ("/"), not as index.html: revalidating that URL
      // is answered by the copy the browser holds; it is kept under index.html.
      const from = file === "index.html" ? scopeUrl : new URL(file, scopeUrl);
      const reply = await fetch(new Request(from, { cache: "no-cache" }));
      if (!reply.ok) throw new Error(`precaching ${file}: HTTP ${reply.status}`);
      await cache.put(new URL(file, scopeUrl), reply);
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  // A new deploy's worker drops every older build's cache, then serves open pages at once.
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

// The request's path in this build's cache, or null when it must go to the network.
function cachedPath(request) {
  if (!STAMPED || request.method !== "GET") return null;
  const url = new URL(request.url);
  if (url.origin !== scopeUrl.origin) return null;
  // A room link (/#room=...) or the start page: the cached page (the fragment never reaches here).
  if (request.mode === "navigate" && (url.pathname === scopeUrl.pathname || url.pathname === `${scopeUrl.pathname}index.html`)) {
    return `${scopeUrl.pathname}index.html`;
  }
  if (url.search !== "") return null;
  return versioned.has(url.pathname) ? url.pathname : null;
}

self.addEventListener("fetch", (event) => {
  const path = cachedPath(event.request);
  if (path === null) return;  // the browser fetches it as if there were no worker
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(path);
    if (hit) return hit;
    const reply = await fetch(event.request);
    // Only whole, successful same-origin replies are kept (the lazy encoder, a precache miss).
    if (reply.ok && reply.status === 200 && reply.type === "basic") {
      event.waitUntil(cache.put(path, reply.clone()).catch(() => {}));
    }
    return reply;
  })());
});
