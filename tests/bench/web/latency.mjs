// Glass-to-glass latency on loopback: a browser speaker's microphone to a browser listener's
// speaker, through stoa-server. The speaker's fake microphone plays short 1 kHz beeps (sox); the
// speaker page hosts a room and unmutes, the listener page joins by link and presses Listen.
// The same AudioWorklet probe marks every beep's onset (the first sample above THRESHOLD after
// at least 200 ms below it) on both sides: on the speaker page in the microphone's stream (the
// stream the client got from getUserMedia, wrapped by an init script, analysed in an
// AudioContext of its own), on the listener page in window.stoaApp.audioOutput (the client's last
// node before its destination). Onsets are converted from audio-context time to the Unix epoch
// (performance.timeOrigin + the performance time ctx.getOutputTimestamp() pairs with a context
// time), so both pages use one clock; each speaker onset is paired with the first listener onset
// that follows it within 500 ms.
//
// What this cannot see: the capture device's input latency (the fake microphone has none to
// speak of) and the output device's buffer after the listener's AudioContext (the context's
// baseLatency/outputLatency, printed).
//
//   node tests/bench/web/latency.mjs
// Environment: BEEPS (50 paired beeps wanted), WARMUP_S (2: seconds of listening before the
// first counted beep), THRESHOLD (0.1 of full scale), STOA_NATIVE_BUILD, STOA_WASM_BUILD.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { artifactsDir, collectConsoleErrors, launchBrowser, repoRoot, startServer } from '../../web/harness.mjs';
import { envNumber, fixed, median, percentile } from './common.mjs';

const run = promisify(execFile);
const STEP = 20_000;
const BEEP_PERIOD_MS = 500;
const PAIR_WINDOW_MS = 500;
const TARGET_P50_MS = 80;
const beepsWanted = envNumber('BEEPS', 50);
const warmupMs = envNumber('WARMUP_S', 2) * 1000;
const threshold = envNumber('THRESHOLD', 0.1);
const webRoot = path.join(path.resolve(repoRoot, process.env.STOA_WASM_BUILD ?? 'build/wasm'), 'web');
if (!existsSync(path.join(webRoot, 'stoa-core.wasm'))) throw new Error(`${webRoot}/stoa-core.wasm is missing: build the wasm preset`);

// 30 s of a 60 ms 1 kHz beep at half of full scale every 500 ms (the fake microphone loops it).
const wav = path.join(artifactsDir, 'latency-beeps-1k.wav');
mkdirSync(artifactsDir, { recursive: true });
await run('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', '-e', 'signed-integer', wav,
  'synth', '0.06', 'sine', '1000', 'vol', '0.5', 'pad', '0', String((BEEP_PERIOD_MS - 60) / 1000), 'repeat', '59']);

// The probe: posts the context frame of every onset, and the peak level once a second.
const probeSource = `
class OnsetProbe extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.threshold = options.processorOptions.threshold;
    this.gap = Math.round(0.2 * sampleRate);
    this.quiet = this.gap;
    this.peak = 0;
    this.counted = 0;
  }
  process(inputs) {
    const input = inputs[0];
    if (input && input.length > 0) {
      const samples = input[0];
      for (let i = 0; i < samples.length; i += 1) {
        const level = Math.abs(samples[i]);
        if (level > this.peak) this.peak = level;
        if (level >= this.threshold) {
          if (this.quiet >= this.gap) this.port.postMessage({ type: 'onset', frame: currentFrame + i });
          this.quiet = 0;
        } else {
          this.quiet += 1;
        }
      }
    }
    this.counted += 128;
    if (this.counted >= sampleRate) {
      this.port.postMessage({ type: 'peak', peak: this.peak });
      this.peak = 0;
      this.counted = 0;
    }
    return true;
  }
}
registerProcessor('stoa-onset-probe', OnsetProbe);
`;

// In the page: loads the probe into `context` (from a blob: URL, which the page's CSP would refuse
// without the context's bypassCSP), connects `source` to it, and records onsets as epoch ms in
// window.__probe. The probe's silent output goes to the destination so the node is always pulled.
async function installProbe(page, which) {
  return page.evaluate(
    async ({ which, probeSource, threshold }) => {
      let context;
      let source;
      if (which === 'microphone') {
        context = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
        await context.resume();
        source = context.createMediaStreamSource(window.__microphoneStreams.at(-1));
      } else {
        context = window.stoaApp.audioContext;
        source = window.stoaApp.audioOutput;
      }
      const url = URL.createObjectURL(new Blob([probeSource], { type: 'text/javascript' }));
      await context.audioWorklet.addModule(url);
      const node = new AudioWorkletNode(context, 'stoa-onset-probe', { processorOptions: { threshold }, outputChannelCount: [1] });
      const probe = { onsets: [], peaks: [], skews: [], context, node, startedAt: performance.timeOrigin + performance.now() };
      window.__probe = probe;
      node.port.onmessage = ({ data }) => {
        if (data.type === 'peak') {
          probe.peaks.push(data.peak);
          return;
        }
        // The output timestamp pairs a context time with the performance time at which that
        // sample frame is heard; an onset's frame is placed on that clock from there.
        const stamp = context.getOutputTimestamp();
        const at = data.frame / context.sampleRate;
        const onset = performance.timeOrigin + stamp.performanceTime + (at - stamp.contextTime) * 1000;
        probe.onsets.push(onset);
        // A check of that clock: the same onset placed by currentTime and the time now, which
        // ignores the output's latency and is late by the message's delivery.
        const byNow = performance.timeOrigin + performance.now() - (context.currentTime - at) * 1000;
        probe.skews.push(onset - byNow);
      };
      source.connect(node);
      node.connect(context.destination);
      return {
        sampleRate: context.sampleRate,
        baseLatencyMs: context.baseLatency * 1000,
        outputLatencyMs: context.outputLatency * 1000,
        startedAt: probe.startedAt,
      };
    },
    { which, probeSource, threshold },
  );
}

const server = await startServer({ webRoot });
const browser = await launchBrowser({ fakeAudioWav: wav });
let report;
try {
  // Speaker: the init script keeps every stream the client gets from getUserMedia.
  const speakerContext = await browser.newContext({ bypassCSP: true });
  await speakerContext.addInitScript(() => {
    window.__microphoneStreams = [];
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      window.__microphoneStreams.push(stream);
      return stream;
    };
  });
  const speaker = await speakerContext.newPage();
  const speakerErrors = collectConsoleErrors(speaker);
  await speaker.goto(server.url);
  await speaker.waitForFunction(() => window.stoaApp?.state?.connection === 'open', null, { timeout: STEP });
  await speaker.getByLabel('Display name').fill('Speaker');
  await speaker.getByLabel('Room title').fill('Latency room');
  await speaker.getByRole('button', { name: 'Create room', exact: true }).click();
  await speaker.waitForFunction(() => window.stoaApp.state?.inRoom && window.stoaApp.state.keys, null, { timeout: STEP });
  const created = await speaker.evaluate(() => window.stoaApp.events.find((e) => e.type === 'room_created'));
  await speaker.getByRole('button', { name: 'Unmute microphone', exact: true }).click();
  await speaker.waitForFunction(() => window.stoaApp.state.me?.selfMuted === false && window.__microphoneStreams.length > 0, null, { timeout: STEP });
  const speakerTap = await installProbe(speaker, 'microphone');

  // Listener: joins by link, presses Listen, and is measured once it plays decrypted audio.
  const listenerContext = await browser.newContext({ bypassCSP: true });
  const listener = await listenerContext.newPage();
  const listenerErrors = collectConsoleErrors(listener);
  const hash = created.invite ? `#room=${created.room}&invite=${created.invite}` : `#room=${created.room}`;
  await listener.goto(server.url + hash);
  await listener.waitForFunction(() => window.stoaApp?.state?.connection === 'open', null, { timeout: STEP });
  await listener.getByLabel('Display name').fill('Listener');
  await listener.getByRole('button', { name: 'Join', exact: true }).click();
  await listener.waitForFunction(() => window.stoaApp.state?.inRoom && window.stoaApp.state.keys, null, { timeout: STEP });
  await speaker.waitForFunction(() => window.stoaApp.state.stats.framesSent > 0, null, { timeout: STEP });
  await listener.getByRole('button', { name: 'Listen', exact: true }).click();
  await listener.waitForFunction(() => window.stoaApp.audioOutput !== null && window.stoaApp.state.stats.framesDecrypted > 0, null, {
    timeout: STEP,
  });
  const listenerTap = await installProbe(listener, 'output');

  // Enough listener onsets after the warm-up for `beepsWanted` pairs (bounded: one beep per 500 ms).
  const countFrom = listenerTap.startedAt + warmupMs;
  const needed = beepsWanted + 2;
  await listener.waitForFunction(
    ({ countFrom, needed }) => window.__probe.onsets.filter((t) => t >= countFrom).length >= needed,
    { countFrom, needed },
    { timeout: warmupMs + needed * BEEP_PERIOD_MS * 2 + STEP, polling: 250 },
  );
  const speakerSide = await speaker.evaluate(() => ({
    onsets: window.__probe.onsets,
    skews: window.__probe.skews,
    peaks: window.__probe.peaks,
    app: { baseLatencyMs: window.stoaApp.audioContext.baseLatency * 1000, outputLatencyMs: window.stoaApp.audioContext.outputLatency * 1000 },
    stats: window.stoaApp.state.stats,
  }));
  const listenerSide = await listener.evaluate(() => ({
    onsets: window.__probe.onsets,
    skews: window.__probe.skews,
    peaks: window.__probe.peaks,
    stats: window.stoaApp.state.stats,
    outputLatencyMs: window.stoaApp.audioContext.outputLatency * 1000,
  }));
  report = { speakerTap, listenerTap, speakerSide, listenerSide, countFrom, errors: [...speakerErrors, ...listenerErrors] };
} finally {
  await browser.close();
  await server.stop();
}

// Pairs: each counted speaker onset with the first listener onset after it, within the window.
const { speakerTap, listenerTap, speakerSide, listenerSide, countFrom } = report;
const lastListener = listenerSide.onsets.at(-1);
const counted = speakerSide.onsets.filter((t) => t >= countFrom && t + PAIR_WINDOW_MS <= lastListener);
const latencies = [];
let unpaired = 0;
for (const s of counted) {
  const l = listenerSide.onsets.find((t) => t > s && t <= s + PAIR_WINDOW_MS);
  if (l === undefined) unpaired += 1;
  else latencies.push(l - s);
}
const listenerCounted = listenerSide.onsets.filter((t) => t >= countFrom && t <= lastListener).length;

console.log(`glass-to-glass, browser microphone -> stoa-server (127.0.0.1) -> browser speaker, ${path.relative(repoRoot, wav)} (60 ms 1 kHz beeps every ${BEEP_PERIOD_MS} ms), onset threshold ${threshold}`);
console.log(`speaker onsets counted ${counted.length}, paired ${latencies.length}, unpaired ${unpaired}; listener onsets in the same span ${listenerCounted}`);
console.log(`peak levels per second, speaker microphone: ${speakerSide.peaks.slice(-5).map((p) => fixed(p)).join(' ')}; listener output: ${listenerSide.peaks.slice(-5).map((p) => fixed(p)).join(' ')}`);
console.log(`listener decrypt failures: ${listenerSide.stats.decryptFailures}`);
if (latencies.length === 0) throw new Error('no beep paired: the listener heard none of them within 500 ms');
console.log(`latency ms: p50 ${fixed(median(latencies), 1)}, p95 ${fixed(percentile(latencies, 95), 1)}, max ${fixed(Math.max(...latencies), 1)}, min ${fixed(Math.min(...latencies), 1)} (n = ${latencies.length})`);
console.log(`all, ms: ${latencies.map((l) => l.toFixed(1)).join(' ')}`);
console.log(`listener AudioContext (the client's): baseLatency ${fixed(listenerTap.baseLatencyMs, 1)} ms, outputLatency ${fixed(listenerSide.outputLatencyMs, 1)} ms (after the tap, not in the figure); speaker's tap context: baseLatency ${fixed(speakerTap.baseLatencyMs, 1)} ms, outputLatency ${fixed(speakerTap.outputLatencyMs, 1)} ms; speaker's app context: baseLatency ${fixed(speakerSide.app.baseLatencyMs, 1)} ms`);
console.log(`clock check, median of (output-timestamp placement - currentTime/now placement) per onset: speaker tap ${fixed(median(speakerSide.skews), 1)} ms, listener ${fixed(median(listenerSide.skews), 1)} ms (the two should agree: a difference would be an error of the pairing clock)`);
if (report.errors.length) console.log(`page errors: ${report.errors.join('; ')}`);
if (latencies.length < 40) console.log(`fewer than 40 pairs (${latencies.length}): raise BEEPS`);
const p50 = median(latencies);
console.log(`target p50 < ${TARGET_P50_MS} ms: ${p50 < TARGET_P50_MS ? 'met' : 'NOT met'} (${fixed(p50, 1)} ms)`);
