// The installable app in Debian's Chromium against a live stoa-server: the page links its
// manifest, registers the stamped service worker, which caches this build's client (the core wasm
// included) under a cache named after the build, and leaves config.json to the network.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clientBuilt, collectConsoleErrors, launchBrowser, startServer, wasmWebRoot } from '../harness.mjs';

const skip = clientBuilt ? false : 'the client is not built (build/wasm/web/stoa-core.wasm is missing)';
const STEP = 20_000;

describe('installable app', { skip }, () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer({ webRoot: wasmWebRoot });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('the service worker caches the build and controls the page; the manifest is linked', { timeout: 90_000 }, async () => {
    const page = await browser.newPage();
    const errors = collectConsoleErrors(page);
    await page.goto(server.url);
    await page.waitForFunction(() => window.stoaApp?.state?.connection === 'open', null, { timeout: STEP });

    const manifest = await page.evaluate(async () => {
      const link = document.querySelector('link[rel="manifest"]');
      const reply = await fetch(link.href);
      return { type: reply.headers.get('content-type'), body: await reply.json() };
    });
    assert.equal(manifest.type, 'application/manifest+json');
    assert.equal(manifest.body.display, 'standalone');
    assert.ok(manifest.body.icons.some((icon) => icon.sizes === '512x512' && icon.purpose === 'maskable'));

    // The worker installs (precaching the build), activates and claims the page.
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: STEP });
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const cache = await caches.open(names.find((name) => name.startsWith('stoa-client-')));
      const paths = (await cache.keys()).map((request) => new URL(request.url).pathname);
      return { names, paths };
    });
    assert.equal(cached.names.filter((name) => name.startsWith('stoa-client-')).length, 1);
    assert.match(cached.names[0], /^stoa-client-[0-9a-f]{16}$/);
    for (const file of ['/index.html', '/app.js', '/client-worker.js', '/playback-worklet.js', '/stoa-core.wasm',
      '/style.css', '/stoa-core.js', '/stoa-session.js']) {
      assert.ok(cached.paths.includes(file), `${file} is cached: ${cached.paths.join(' ')}`);
    }
    // A minified build stages app.js as one bundle of the page's modules: those are then never
    // fetched on their own, so they are not cached either; an unbundled build caches each.
    const bundled = await page.evaluate(async () => !/from\s*["']\.\/client\.js["']/.test(await (await fetch('app.js')).text()));
    for (const file of ['/client.js', '/audio.js', '/render.js', '/lib/view-model.js', '/lib/link.js']) {
      assert.equal(cached.paths.includes(file), !bundled, `${file} cached: ${!bundled} (bundled: ${bundled}): ${cached.paths.join(' ')}`);
    }
    assert.ok(!cached.paths.includes('/config.json'), 'the relay list is never cached');
    // What a listener never needs is not fetched at install, only cached when first used: the
    // speaker's encoder and capture worklet, the app icons (the browser asks for those it shows).
    for (const file of ['/stoa-encoder.wasm', '/capture-worklet.js', '/icons/stoa-maskable-512.png']) {
      assert.ok(!cached.paths.includes(file), `${file} is not precached: ${cached.paths.join(' ')}`);
    }

    // A reload is served by the worker and still reaches the relay.
    await page.reload();
    await page.waitForFunction(() => window.stoaApp?.state?.connection === 'open', null, { timeout: STEP });
    assert.deepEqual(errors, []);
  });
});
