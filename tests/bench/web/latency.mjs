// Glass-to-glass latency on loopback: a browser speaker's microphone to a browser listener's
// speaker, through stoa-server. The speaker's fake microphone plays short 1 kHz beeps (sox), one
// every BEEP_PERIOD_MS; the speaker page hosts a room and unmutes, the listener page joins by link
// and presses Listen. The same AudioWorklet probe marks every beep's onset (the first sample at or
// above THRESHOLD after at least 200 ms below it) on both sides, each time inside the client's own
// AudioContext:
//   - speaker: fed from window.stoaApp.audio.source, the client's MediaStreamAudioSourceNode for
//     the microphone, the node that also feeds the capture worklet (web/capture-worklet.js, which
//     cuts the 20 ms frames the worker encodes). Both read the same render quantum, so the onset
//     is the moment the sample reached the capture worklet.
//   - listener: fed from window.stoaApp.audioOutput, the client's last node (the gain after the
//     playback worklet) before its destination.
// An onset's context frame is placed on the Unix epoch with that context's getOutputTimestamp()
// (performance.timeOrigin + performanceTime + (frame time - contextTime) * 1000): the same method
// in both contexts, both the client's, built alike (48 kHz, 'interactive'), so the output latency
// both placements carry cancels (both contexts' baseLatency/outputLatency are printed: a
// difference between them would be an error of the figure). Each speaker onset is paired with the
// first listener onset that follows it within one beep period.
//
// What the figure includes: the wait for the capture frame to fill (0 to 20 ms, the same for every
// beep of a run, as the period is a whole number of frames), the worker's encode + encrypt, the
// WebSocket to stoa-server and on to the listener on loopback (and, with JITTER_MS, the proxy's
// holds), decrypt, the jitter buffer (at least its 20 ms floor above the fastest transit), Opus's
// 6.5 ms look-ahead, decode, and the playback worklet's ring (its cushion: 14 to 60 ms). So it can
// never be below 26.5 ms (look-ahead + jitter floor, a beep starting just as a frame completes),
// nor below 46.5 ms if the beep waits a whole frame; the script counts values below both.
// What it leaves out: the microphone's own input latency and Chromium's capture path up to the
// client's context (the fake device has little; a real one adds it), and the listener's output
// device after its context (baseLatency + outputLatency, printed: 40 ms with the fake output).
//
// History: until issue 14 the speaker's probe ran in an AudioContext of its own on the
// microphone's MediaStream, and beeps came every 500 ms with a 500 ms pairing window. Runs read
// 108.6, 88.6, 68.5, 48.6, 28.7, 8.5, then 488.5: consistent with latencies near 500 ms read
// modulo the period (608.6 read as 108.6; 488.5 as itself, not -11.5), not a drifting reference. With
// SEPARATE_TAP=1 such a probe is added beside the client's tap and its onsets compared: on
// 2026-12-06 they sat -22 to +8 ms from the client's (10 ms steps: each context gets the stream in
// 10 ms blocks), with no trend across beeps. So the tap is now in the client's own context (that
// error gone) and the period is 1 s (below). SEPARATE_TAP adds a context: leave it off for figures.
// Checks printed with the figure: the two pages' epoch clocks compared through Node (each page's
// performance.timeOrigin + now() bracketed by Node's clock, the closest of 15 round trips), the
// trend across beeps (least-squares ms per beep, first vs second half) and the floor counts.
// The beep period is 1 s so that no latency under 1 s is paired with the wrong beep (with 500 ms
// beeps a delay above 500 ms would have read as a short one).
//
// With JITTER_MS set, both pages reach the relay through a jittery link (jitter-proxy.mjs: every
// chunk in either direction held DELAY_MS + a random 0..JITTER_MS, in order), and what the
// listener's playout did is what to compare: the core's per-tick counts (decoded, recovered by
// FEC, concealed), the frames it decrypted but never played (late, or dropped to shrink the
// delay), and the playback worklet's underruns; counted from the listener's first probe reading
// to the end.
//
//   node tests/bench/web/latency.mjs
// Environment: BEEPS (50 paired beeps wanted), BEEP_PERIOD_MS (1000; a whole number of 20 ms
// frames), WARMUP_S (2: seconds of listening before the first counted beep), THRESHOLD (0.1 of
// full scale), JITTER_MS (0: off), DELAY_MS (10), JITTER_SEED (1), SEPARATE_TAP (0),
// STOA_NATIVE_BUILD, STOA_WASM_BUILD.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { artifactsDir, collectConsoleErrors, freePort, launchBrowser, repoRoot, startServer } from '../../web/harness.mjs';
import { envNumber, fixed, median, percentile, slope } from './common.mjs';
import { startJitterProxy } from './jitter-proxy.mjs';

const run = promisify(execFile);
const STEP = 20_000;
const FRAME_MS = 20;
const BEEP_MS = 60;
const TARGET_P50_MS = 80;
// Nothing can come out sooner than Opus's look-ahead plus the jitter buffer's floor in the browser
// (wasm/src/stoa_api.cpp: min_delay 20 ms); a beep that waits a whole capture frame adds 20 ms.
const FLOOR_MS = 6.5 + 20;
const FLOOR_FULL_FRAME_MS = FLOOR_MS + FRAME_MS;
const beepPeriodMs = envNumber('BEEP_PERIOD_MS', 1000);
if (beepPeriodMs % FRAME_MS !== 0 || beepPeriodMs < 400) throw new Error(`BEEP_PERIOD_MS=${beepPeriodMs}: a whole number of ${FRAME_MS} ms frames, at least 400`);
const pairWindowMs = beepPeriodMs;
const beepsWanted = envNumber('BEEPS', 50);
const warmupMs = envNumber('WARMUP_S', 2) * 1000;
const threshold = envNumber('THRESHOLD', 0.1);
const jitterMs = envNumber('JITTER_MS', 0);
const delayMs = envNumber('DELAY_MS', 10);
const jitterSeed = envNumber('JITTER_SEED', 1);
const separateTap = envNumber('SEPARATE_TAP', 0) !== 0;
const webRoot = path.join(path.resolve(repoRoot, process.env.STOA_WASM_BUILD ?? 'build/wasm'), 'web');
if (!existsSync(path.join(webRoot, 'stoa-core.wasm'))) throw new Error(`${webRoot}/stoa-core.wasm is missing: build the wasm preset`);

// About 30 s of a 60 ms 1 kHz beep at half of full scale every period (the fake microphone loops it).
const wav = path.join(artifactsDir, `latency-beeps-1k-${beepPeriodMs}ms.wav`);
mkdirSync(artifactsDir, { recursive: true });
await run('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', '-e', 'signed-integer', wav,
  'synth', String(BEEP_MS / 1000), 'sine', '1000', 'vol', '0.5', 'pad', '0', String((beepPeriodMs - BEEP_MS) / 1000),
  'repeat', String(Math.max(1, Math.round(30_000 / beepPeriodMs) - 1))]);

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

// In the page: loads the probe into the context of the node it taps (from a blob: URL, which the
// page's CSP would refuse without the browser context's bypassCSP), connects that node to it, and
// records onsets as epoch ms in window[key]. `which`: 'microphone' (the client's microphone source
// node, in the client's context), 'output' (the client's output node), or 'separate' (the
// microphone's MediaStream in an AudioContext of the probe's own: the old, wrong reference). The
// probe's silent output goes to the destination so the node is always pulled.
async function installProbe(page, which, key = '__probe') {
  return page.evaluate(
    async ({ which, key, probeSource, threshold }) => {
      let context;
      let source;
      if (which === 'separate') {
        context = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
        await context.resume();
        source = context.createMediaStreamSource(window.__microphoneStreams.at(-1));
      } else {
        source = which === 'microphone' ? window.stoaApp.audio.source : window.stoaApp.audioOutput;
        context = source.context;
        if (context !== window.stoaApp.audioContext) throw new Error(`the ${which} node is not in the client's AudioContext`);
      }
      const url = URL.createObjectURL(new Blob([probeSource], { type: 'text/javascript' }));
      await context.audioWorklet.addModule(url);
      const node = new AudioWorkletNode(context, 'stoa-onset-probe', { processorOptions: { threshold }, outputChannelCount: [1] });
      const probe = { onsets: [], peaks: [], skews: [], context, node, startedAt: performance.timeOrigin + performance.now() };
      window[key] = probe;
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
    { which, key, probeSource, threshold },
  );
}

// A page's epoch clock (performance.timeOrigin + now()) minus Node's, from the closest of `tries`
// round trips: {offset, rtt}; the offset is within rtt/2 of the truth. Two pages' offsets differ
// by how far apart their clocks are (the onsets of both are placed on them).
async function pageClockOffset(page, tries = 15) {
  let best = null;
  for (let i = 0; i < tries; i += 1) {
    const before = performance.timeOrigin + performance.now();
    const inPage = await page.evaluate(() => performance.timeOrigin + performance.now());
    const after = performance.timeOrigin + performance.now();
    if (!best || after - before < best.rtt) best = { offset: inPage - (before + after) / 2, rtt: after - before };
  }
  return best;
}

// The listener's playout: the core's counters, and the playback worklet's (asked on its port; a
// worklet that does not answer within a second reports nothing).
async function listenerPlayout(page) {
  return page.evaluate(async () => {
    const stats = { ...window.stoaApp.state.stats };
    const node = window.__playbackNodes?.at(-1);
    let worklet = null;
    if (node) {
      worklet = await new Promise((resolve) => {
        const timer = setTimeout(() => resolve(null), 1000);
        node.port.addEventListener('message', ({ data }) => {
          if (data?.type !== 'stats') return;
          clearTimeout(timer);
          resolve(data);
        });
        node.port.start();
        node.port.postMessage({ type: 'stats' });
      });
    }
    return { stats, worklet };
  });
}

let proxy = null;
let server;
if (jitterMs > 0) {
  const proxyPort = await freePort();
  server = await startServer({ webRoot, authContext: `http://127.0.0.1:${proxyPort}` });
  proxy = await startJitterProxy({ port: proxyPort, targetPort: server.port, delayMs, jitterMs, seed: jitterSeed });
} else {
  server = await startServer({ webRoot });
}
const pageUrl = proxy ? proxy.url : server.url;
const browser = await launchBrowser({ fakeAudioWav: wav });
let report;
try {
  // Speaker: the init script keeps every stream the client gets from getUserMedia (for the check
  // that it got one, and for SEPARATE_TAP).
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
  await speaker.goto(pageUrl);
  await speaker.waitForFunction(() => window.stoaApp?.state?.connection === 'open', null, { timeout: STEP });
  await speaker.getByLabel('Display name').fill('Speaker');
  await speaker.getByLabel('Room title').fill('Latency room');
  await speaker.getByRole('button', { name: 'Create room', exact: true }).click();
  await speaker.waitForFunction(() => window.stoaApp.state?.inRoom && window.stoaApp.state.keys, null, { timeout: STEP });
  const created = await speaker.evaluate(() => window.stoaApp.events.find((e) => e.type === 'room_created'));
  await speaker.getByRole('button', { name: 'Unmute microphone', exact: true }).click();
  await speaker.waitForFunction(
    () => window.stoaApp.state.me?.selfMuted === false && Boolean(window.stoaApp.audio?.source && window.stoaApp.audio.captureNode),
    null,
    { timeout: STEP },
  );
  const speakerTap = await installProbe(speaker, 'microphone');
  const separateTapInfo = separateTap ? await installProbe(speaker, 'separate', '__probeSeparate') : null;

  // Listener: joins by link, presses Listen, and is measured once it plays decrypted audio.
  const listenerContext = await browser.newContext({ bypassCSP: true });
  await listenerContext.addInitScript(() => {
    // Keeps the client's playback node, to ask its worklet for its counters at the end.
    window.__playbackNodes = [];
    const Original = window.AudioWorkletNode;
    window.AudioWorkletNode = class extends Original {
      constructor(context, name, options) {
        super(context, name, options);
        if (name === 'stoa-playback') window.__playbackNodes.push(this);
      }
    };
  });
  const listener = await listenerContext.newPage();
  const listenerErrors = collectConsoleErrors(listener);
  const hash = created.invite ? `#room=${created.room}&invite=${created.invite}` : `#room=${created.room}`;
  await listener.goto(pageUrl + hash);
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
  const clocksBefore = { speaker: await pageClockOffset(speaker), listener: await pageClockOffset(listener) };
  const playoutBefore = await listenerPlayout(listener);

  // Enough listener onsets after the warm-up for `beepsWanted` pairs (bounded: one beep a period).
  const countFrom = listenerTap.startedAt + warmupMs;
  const needed = beepsWanted + 2;
  await listener.waitForFunction(
    ({ countFrom, needed }) => window.__probe.onsets.filter((t) => t >= countFrom).length >= needed,
    { countFrom, needed },
    { timeout: warmupMs + needed * beepPeriodMs * 2 + STEP, polling: 250 },
  );
  const playoutAfter = await listenerPlayout(listener);
  const clocksAfter = { speaker: await pageClockOffset(speaker), listener: await pageClockOffset(listener) };
  const speakerSide = await speaker.evaluate(() => ({
    onsets: window.__probe.onsets,
    skews: window.__probe.skews,
    peaks: window.__probe.peaks,
    separate: window.__probeSeparate ? { onsets: window.__probeSeparate.onsets, skews: window.__probeSeparate.skews } : null,
    streams: window.__microphoneStreams.length,
    app: { baseLatencyMs: window.stoaApp.audioContext.baseLatency * 1000, outputLatencyMs: window.stoaApp.audioContext.outputLatency * 1000 },
    stats: window.stoaApp.state.stats,
  }));
  const listenerSide = await listener.evaluate(() => ({
    onsets: window.__probe.onsets,
    skews: window.__probe.skews,
    peaks: window.__probe.peaks,
    stats: window.stoaApp.state.stats,
    baseLatencyMs: window.stoaApp.audioContext.baseLatency * 1000,
    outputLatencyMs: window.stoaApp.audioContext.outputLatency * 1000,
  }));
  report = {
    speakerTap, separateTapInfo, listenerTap, speakerSide, listenerSide, countFrom, playoutBefore, playoutAfter, clocksBefore, clocksAfter,
    errors: [...speakerErrors, ...listenerErrors],
  };
} finally {
  await browser.close();
  await proxy?.close();
  await server.stop();
}

// Pairs: each counted speaker onset with the first listener onset after it, within one period.
const { speakerTap, listenerTap, speakerSide, listenerSide, countFrom } = report;
const lastListener = listenerSide.onsets.at(-1);
const counted = speakerSide.onsets.filter((t) => t >= countFrom && t + pairWindowMs <= lastListener);
const latencies = [];
const pairedAt = [];
let unpaired = 0;
for (const s of counted) {
  const l = listenerSide.onsets.find((t) => t > s && t <= s + pairWindowMs);
  if (l === undefined) {
    unpaired += 1;
  } else {
    latencies.push(l - s);
    pairedAt.push(s);
  }
}
const listenerCounted = listenerSide.onsets.filter((t) => t >= countFrom && t <= lastListener).length;

console.log(`glass-to-glass, browser microphone -> stoa-server (127.0.0.1) -> browser speaker, ${path.relative(repoRoot, wav)} (${BEEP_MS} ms 1 kHz beeps every ${beepPeriodMs} ms), onset threshold ${threshold}; from the client's capture input (speaker's AudioContext) to the client's output node (listener's)`);
if (proxy) console.log(`jittery link: both pages through jitter-proxy.mjs, every chunk each way held ${delayMs} ms + uniform 0..${jitterMs} ms, in order (seed ${jitterSeed}); chunks ${proxy.stats().chunks}, longest hold ${fixed(proxy.stats().maxHeldMs, 1)} ms`);
console.log(`speaker onsets counted ${counted.length}, paired ${latencies.length}, unpaired ${unpaired}; listener onsets in the same span ${listenerCounted}; microphone streams the speaker got ${speakerSide.streams}`);
console.log(`peak levels per second, speaker microphone: ${speakerSide.peaks.slice(-5).map((p) => fixed(p)).join(' ')}; listener output: ${listenerSide.peaks.slice(-5).map((p) => fixed(p)).join(' ')}`);
console.log(`listener decrypt failures: ${listenerSide.stats.decryptFailures}; speaker frames sent in the whole session ${speakerSide.stats.framesSent}, listener frames decrypted in it ${listenerSide.stats.framesDecrypted}`);
{
  const { playoutBefore: before, playoutAfter: after } = report;
  const delta = (key) => (after.stats[key] ?? NaN) - (before.stats[key] ?? NaN);
  const decrypted = delta('framesDecrypted');
  const decoded = delta('playoutDecoded');
  const recovered = delta('playoutRecovered');
  const concealed = delta('playoutConcealed');
  const underruns = after.worklet && before.worklet ? after.worklet.underruns - before.worklet.underruns : 'n/a (worklet does not report)';
  console.log(`listener playout while measured: frames decrypted ${decrypted}, decoded ${decoded}, recovered by FEC ${recovered}, concealed ${concealed}, decrypted but not played (late or dropped) ${decrypted - decoded}; playback worklet underruns ${underruns}${after.worklet ? `, cushion ${fixed(after.worklet.cushionMs, 1)} ms` : ''}`);
}
if (latencies.length === 0) throw new Error(`no beep paired: the listener heard none of them within ${pairWindowMs} ms`);
console.log(`latency ms: p50 ${fixed(median(latencies), 1)}, p95 ${fixed(percentile(latencies, 95), 1)}, max ${fixed(Math.max(...latencies), 1)}, min ${fixed(Math.min(...latencies), 1)} (n = ${latencies.length})`);
console.log(`all, ms: ${latencies.map((l) => l.toFixed(1)).join(' ')}`);
{
  // Stability: a reference that drifts shows as a steady trend; the jitter buffer's own shrinking
  // after a rough start is a fall that stops at its floor.
  const beepIndex = pairedAt.map((s) => (s - pairedAt[0]) / beepPeriodMs);
  const half = Math.floor(latencies.length / 2);
  const belowFloor = latencies.filter((l) => l < FLOOR_MS).length;
  const belowFullFrame = latencies.filter((l) => l < FLOOR_FULL_FRAME_MS).length;
  const nearWindow = latencies.filter((l) => l > 0.8 * pairWindowMs).length;
  console.log(`stability: trend ${fixed(slope(beepIndex, latencies), 2)} ms per beep over all, ${fixed(slope(beepIndex.slice(half), latencies.slice(half)), 2)} over the second half; median first half ${fixed(median(latencies.slice(0, half)), 1)}, second half ${fixed(median(latencies.slice(half)), 1)} ms`);
  console.log(`floor: ${belowFloor} below ${FLOOR_MS} ms (look-ahead + jitter floor: impossible, the reference would be wrong), ${belowFullFrame} below ${FLOOR_FULL_FRAME_MS} ms (possible only for a beep starting late in its capture frame)${nearWindow ? `; ${nearWindow} above ${0.8 * pairWindowMs} ms, near the pairing window: raise BEEP_PERIOD_MS` : ''}`);
}
console.log(`listener AudioContext (the client's): baseLatency ${fixed(listenerTap.baseLatencyMs, 1)} ms, outputLatency ${fixed(listenerSide.outputLatencyMs, 1)} ms (after the tap, not in the figure); speaker's (the client's, tapped): baseLatency ${fixed(speakerTap.baseLatencyMs, 1)} ms, outputLatency ${fixed(speakerSide.app.outputLatencyMs, 1)} ms (both placements carry their context's output latency: equal ones cancel)`);
console.log(`clock check, median of (output-timestamp placement - currentTime/now placement) per onset: speaker ${fixed(median(speakerSide.skews), 1)} ms, listener ${fixed(median(listenerSide.skews), 1)} ms (the two should agree: a difference would be an error of the pairing clock)`);
{
  const { clocksBefore: b, clocksAfter: a } = report;
  const line = (c) => `${fixed(c.speaker.offset - c.listener.offset, 2)} ms (within ±${fixed((c.speaker.rtt + c.listener.rtt) / 2, 2)})`;
  console.log(`pages' epoch clocks, speaker minus listener, through Node: before ${line(b)}, after ${line(a)} (a speaker clock ahead makes the figure that much too small)`);
}
if (speakerSide.separate) {
  // The old reference: the same beeps seen by a probe with a context of its own on the stream.
  const deltas = [];
  const at = [];
  for (const s of speakerSide.onsets) {
    const other = speakerSide.separate.onsets.find((t) => Math.abs(t - s) < beepPeriodMs / 2);
    if (other !== undefined) {
      deltas.push(other - s);
      at.push((s - speakerSide.onsets[0]) / beepPeriodMs);
    }
  }
  console.log(`separate tap (an AudioContext of its own on the microphone stream), its onset minus the client's, ms: median ${fixed(median(deltas), 1)}, min ${fixed(Math.min(...deltas), 1)}, max ${fixed(Math.max(...deltas), 1)}, trend ${fixed(slope(at, deltas), 2)} per beep (n = ${deltas.length}); its clock check ${fixed(median(speakerSide.separate.skews), 1)} ms, baseLatency ${fixed(report.separateTapInfo.baseLatencyMs, 1)} ms, outputLatency ${fixed(report.separateTapInfo.outputLatencyMs, 1)} ms`);
  console.log(`  all: ${deltas.map((d) => d.toFixed(1)).join(' ')}`);
}
if (report.errors.length) console.log(`page errors: ${report.errors.join('; ')}`);
if (latencies.length < 40) console.log(`fewer than 40 pairs (${latencies.length}): raise BEEPS`);
const p50 = median(latencies);
console.log(`target p50 < ${TARGET_P50_MS} ms: ${p50 < TARGET_P50_MS ? 'met' : 'NOT met'} (${fixed(p50, 1)} ms)`);
