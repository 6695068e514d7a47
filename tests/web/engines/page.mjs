// The engine-neutral page driver the engine tests are written against. Each engine module
// (chromium.mjs, firefox.mjs, webkit.mjs) supplies a handful of primitives for one open page, and
// EnginePage builds the user's operations on them the same way in every engine: find a button by
// its accessible name or a field by its label in the page, then click or type through the engine's
// own input (trusted events: a click on Listen is the user gesture that lets audio start).
//
// primitives = {
//   goto(url), evaluate(fn, arg) -> value, elementBy(fn, arg) -> native element handle or null,
//   click(element), type(element, text) (after clearing it), screenshot(file), close(),
//   errors() -> console errors and uncaught page errors collected so far (strings),
// }
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { artifactsDir } from '../harness.mjs';

const POLL_MS = 100;
const DEFAULT_TIMEOUT_MS = 20_000;

// Runs in the page. The button whose accessible name is `name`: an approximation of the accname
// rules enough for the client's markup (aria-labelledby, then aria-label, then the rendered text),
// among rendered, enabled buttons. More than one such button is an error, as with Playwright's
// getByRole(..., {exact: true}).
function buttonNamed(name) {
  const text = (element) => (element.innerText ?? element.textContent ?? '').replace(/\s+/g, ' ').trim();
  const accessibleName = (element) => {
    const labelledBy = element.getAttribute('aria-labelledby');
    if (labelledBy) {
      return labelledBy.split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean).map(text).join(' ');
    }
    const label = element.getAttribute('aria-label');
    if (label && label.trim()) return label.trim();
    if (element instanceof HTMLInputElement) return element.value || element.title || '';
    return text(element) || element.title || '';
  };
  const rendered = (element) => element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden';
  const found = [...document.querySelectorAll('button, [role="button"], input[type="button"], input[type="submit"]')]
    .filter((element) => rendered(element) && !element.disabled && !element.closest('[inert]') && accessibleName(element) === name);
  if (found.length > 1) throw new Error(`${found.length} buttons are named "${name}"`);
  return found[0] ?? null;
}

// Runs in the page. The rendered form field whose <label> (or aria-label) reads `label`.
function fieldLabelled(label) {
  const text = (element) => (element.innerText ?? element.textContent ?? '').replace(/\s+/g, ' ').trim();
  const rendered = (element) => element.getClientRects().length > 0;
  const byLabel = [...document.querySelectorAll('label')].filter((element) => text(element) === label).map((element) => element.control);
  const byAria = [...document.querySelectorAll('input, textarea, select')].filter((element) => element.getAttribute('aria-label') === label);
  const found = [...new Set([...byLabel, ...byAria])].filter((element) => element && rendered(element) && !element.disabled);
  if (found.length > 1) throw new Error(`${found.length} fields are labelled "${label}"`);
  return found[0] ?? null;
}

// Runs in the page. The rendered text of every element matching `selector` that is shown.
function visibleTexts(selector) {
  return [...document.querySelectorAll(selector)]
    .filter((element) => element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden')
    .map((element) => (element.innerText ?? element.textContent ?? '').replace(/\s+/g, ' ').trim());
}

export class EnginePage {
  constructor(engine, primitives) {
    this.engine = engine;
    this.primitives = primitives;
  }

  goto(url) {
    return this.primitives.goto(url);
  }

  // Runs `fn(arg)` in the page (fn must be self-contained: it is serialised) and resolves with its
  // (awaited) JSON-like value; non-finite numbers survive. The signature of Playwright's and
  // Puppeteer's page.evaluate, so harness.mjs's measureTone() takes an EnginePage as its page.
  evaluate(fn, arg) {
    return this.primitives.evaluate(fn, arg);
  }

  // Resolves once `fn(arg)` is truthy in the page (polled), with that value; rejects after
  // `timeoutMs`, naming `what` (or the function).
  async waitFor(fn, arg, { timeoutMs = DEFAULT_TIMEOUT_MS, what } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      last = await this.evaluate(fn, arg);
      if (last) return last;
      if (Date.now() > deadline) {
        throw new Error(`${this.engine}: timed out after ${timeoutMs} ms waiting for ${what ?? fn.toString()} (last value ${JSON.stringify(last)})`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async #element(finder, key, what, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const element = await this.primitives.elementBy(finder, key);
      if (element) return element;
      if (Date.now() > deadline) throw new Error(`${this.engine}: no ${what} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  // Clicks the button named `name` (waiting for it to be shown and enabled).
  async clickButton(name, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    const button = await this.#element(buttonNamed, name, `button named "${name}"`, timeoutMs);
    await this.primitives.click(button);
  }

  // Waits until a button named `name` is shown (without clicking it).
  async waitForButton(name, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    await this.#element(buttonNamed, name, `button named "${name}"`, timeoutMs);
  }

  // Types `value` into the field labelled `label`, replacing what it held.
  async fill(label, value, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    const field = await this.#element(fieldLabelled, label, `field labelled "${label}"`, timeoutMs);
    await this.primitives.type(field, value);
  }

  // The shown text of every element matching the CSS `selector`.
  visibleTexts(selector) {
    return this.evaluate(visibleTexts, selector);
  }

  async screenshot(name) {
    mkdirSync(artifactsDir, { recursive: true });
    const file = path.join(artifactsDir, `${name}.png`);
    await this.primitives.screenshot(file);
    return file;
  }

  // Console errors and uncaught page errors seen so far.
  errors() {
    return this.primitives.errors();
  }

  // Closes the page (once; later calls resolve with the first).
  close() {
    this.closing ??= this.primitives.close();
    return this.closing;
  }
}
