// Reads build/bench/relay-*.json and prints the relay benchmark's table and target ratios;
// writes the same as build/bench/relay-summary.json.
// Usage: node summarize.js OUT_DIR "A B" "stoa ws socketio" ["A" (the shapes of the latency runs)]
'use strict';
const fs = require('fs');
const path = require('path');

const [outDir, shapesArg = 'A B', relaysArg = 'stoa ws socketio', latencyShapesArg = ''] = process.argv.slice(2);
const shapes = shapesArg.split(/\s+/).filter(Boolean);
const relays = relaysArg.split(/\s+/).filter(Boolean);
const latencyShapes = latencyShapesArg.split(/\s+/).filter(Boolean);
const read = (name) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, name), 'utf8'));
  } catch {
    return null;
  }
};

const floor = read('relay-floor.json');
const runs = {};
for (const shape of shapes) for (const relay of relays) runs[`${shape}-${relay}`] = read(`relay-${shape}-${relay}.json`);

const fmt = (v, digits = 0) => (v === undefined || v === null || Number.isNaN(v) ? '-' : Number(v).toFixed(digits));
const pad = (s, n) => String(s).padStart(n);
const header = ['shape', 'relay', 'deliv/s', 'relay CPU', 'deliv/CPU-s', 'ns/deliv', 'p50 ms', 'p99 ms', 'p99w ms', 'lost %', 'RSS/conn KB', 'loaded KB', 'gen CPU', 'B/frame'];
const widths = [5, 9, 9, 9, 12, 9, 8, 8, 8, 7, 11, 9, 7, 7];
const lines = [header.map((h, i) => pad(h, widths[i])).join(' ')];
for (const shape of shapes) {
  for (const relay of relays) {
    const r = runs[`${shape}-${relay}`];
    if (!r) {
      lines.push([pad(shape, 5), pad(relay, 9), '  (no result)'].join(' '));
      continue;
    }
    const cells = [shape, relay, fmt(r.deliveries_per_s), `${fmt(100 * r.relay_cpu_share)}%`, fmt(r.deliveries_per_relay_cpu_s),
      fmt(r.relay_cpu_ns_per_delivery), fmt(r.latency_us.p50 / 1000, 2), fmt(r.latency_us.p99 / 1000, 2),
      fmt(r.latency_from_write_us ? r.latency_from_write_us.p99 / 1000 : undefined, 2),
      fmt(100 * r.loss_ratio, 2), fmt(r.relay_rss_per_connection_bytes / 1024, 1),
      fmt(r.relay_rss_per_connection_loaded_bytes === undefined ? undefined : r.relay_rss_per_connection_loaded_bytes / 1024, 1), `${fmt(100 * r.generator_cpu_share)}%`,
      fmt(r.media_bytes_per_frame)];
    // A relay that loses frames or lets them queue for 100 ms is past what it sustains: its latency
    // then measures its backlog, not its forwarding.
    const saturated = r.loss_ratio > 0.01 || r.latency_us.p50 > 100000;
    // A generator above 85% of its core may itself be delaying frames.
    const generatorBound = r.generator_cpu_share > 0.85;
    lines.push(cells.map((c, i) => pad(c, widths[i])).join(' ') + (r.completed ? '' : `  INCOMPLETE: ${r.failure}`) +
      (saturated ? '  (saturated)' : '') + (generatorBound ? '  (GENERATOR-BOUND)' : ''));
  }
}
if (floor) {
  lines.push('');
  lines.push(`floors: ${floor.connections} loopback sockets, ${floor.bytes} B messages at ${floor.rate_hz}/s, CPU of the sending thread ` +
    `(modes take turns in ${fmt(floor.slice_s || 0, 1)} s slices):`);
  const modes = floor.modes || [{ mode: 'send', available: true, cpu_ns_per_message: floor.cpu_ns_per_send, messages_per_cpu_s: floor.sends_per_cpu_s,
    sender_cpu_share: floor.sender_cpu_share, messages: floor.sends, syscalls: floor.sends, rounds: floor.rounds, would_block: floor.would_block, ratio_to_send: 1 }];
  lines.push(['mode', 'ns/msg', 'msg/CPU-s', 'vs send', 'syscalls/round', 'core', 'would-block'].map((h, i) => pad(h, [14, 8, 10, 8, 15, 6, 12][i])).join(' '));
  for (const m of modes) {
    if (!m.available) {
      lines.push(`${pad(m.mode, 14)}  unavailable: ${m.why}`);
      continue;
    }
    lines.push([m.mode, fmt(m.cpu_ns_per_message), fmt(m.messages_per_cpu_s), `${fmt(m.ratio_to_send, 2)}x`,
      fmt(m.rounds > 0 ? m.syscalls / m.rounds : undefined), `${fmt(100 * m.sender_cpu_share)}%`, fmt(m.would_block)].map((c, i) => pad(c, [14, 8, 10, 8, 15, 6, 12][i])).join(' '));
  }
}
const floorMode = (name) => floor && (floor.modes || []).find((m) => m.mode === name && m.available && m.cpu_ns_per_message > 0);

// Issue 11's targets.
const ratios = {};
const verdict = (met) => (met ? 'MET' : 'NOT MET');
const vsWsTarget = { A: 4, B: 1.5 };
lines.push('');
for (const shape of shapes) {
  const stoa = runs[`${shape}-stoa`];
  if (!stoa) continue;
  for (const baseline of ['ws', 'socketio']) {
    const b = runs[`${shape}-${baseline}`];
    if (!b || !(b.deliveries_per_relay_cpu_s > 0)) continue;
    const ratio = stoa.deliveries_per_relay_cpu_s / b.deliveries_per_relay_cpu_s;
    const target = baseline === 'ws' ? vsWsTarget[shape] : undefined;
    if (target !== undefined) {
      ratios[`${shape}_stoa_vs_ws`] = { ratio, target: `>= ${target}`, met: ratio >= target };
      lines.push(`shape ${shape}: stoa deliveries per relay CPU-second / ws = ${fmt(ratio, 2)}x (target >= ${target}x) ${verdict(ratio >= target)}`);
    } else {
      ratios[`${shape}_stoa_vs_${baseline}`] = { ratio };
      lines.push(`shape ${shape}: stoa deliveries per relay CPU-second / ${baseline} = ${fmt(ratio, 2)}x (no target)`);
    }
  }
  const writev = runs[`${shape}-stoa-writev`];
  if (writev && writev.deliveries_per_relay_cpu_s > 0) {
    const ratio = stoa.deliveries_per_relay_cpu_s / writev.deliveries_per_relay_cpu_s;
    ratios[`${shape}_stoa_io_uring_vs_writev`] = { ratio };
    lines.push(`shape ${shape}: stoa with io_uring / stoa with writev, deliveries per relay CPU-second = ${fmt(ratio, 2)}x (the write path's choice)`);
  }
  if (shape === 'B' && floor && floor.cpu_ns_per_send > 0) {
    const ratio = stoa.relay_cpu_ns_per_delivery / floor.cpu_ns_per_send;
    ratios.B_stoa_vs_send_floor = { ratio, target: '<= 1.3', met: ratio <= 1.3 };
    lines.push(`shape B: stoa CPU per delivery / send() floor = ${fmt(stoa.relay_cpu_ns_per_delivery)} / ${fmt(floor.cpu_ns_per_send)} ns = ${fmt(ratio, 2)}x (target <= 1.3x) ${verdict(ratio <= 1.3)}`);
    for (const name of ['writev', 'uring', 'uring_sendmsg']) {
      const m = floorMode(name);
      if (!m) continue;
      const r = stoa.relay_cpu_ns_per_delivery / m.cpu_ns_per_message;
      ratios[`B_stoa_vs_${name}_floor`] = { ratio: r };
      lines.push(`shape B: stoa CPU per delivery / ${name} floor (${fmt(m.cpu_ns_per_message)} ns) = ${fmt(r, 2)}x (for comparison)`);
    }
  }
  const rssKb = stoa.relay_rss_per_connection_bytes / 1024;
  ratios[`${shape}_stoa_rss_per_connection_kb`] = { value: rssKb, loaded: stoa.relay_rss_per_connection_loaded_bytes / 1024, target: '<= 8', met: rssKb <= 8 };
  lines.push(`shape ${shape}: stoa relay memory ${fmt(rssKb, 1)} KB per connection joined (${fmt(stoa.relay_rss_per_connection_loaded_bytes / 1024, 1)} KB at the window's end) (target <= 8 KB) ${verdict(rssKb <= 8)}`);
  if (stoa.probe && stoa.probe.relay_latency_us && stoa.probe.relay_latency_us.samples > 0) {
    lines.push(`shape ${shape}: stoa at the shape's full load, relay CPU ${fmt(100 * stoa.relay_cpu_share)}%: probe p50 ${fmt(stoa.probe.relay_latency_us.p50 / 1000, 2)} ms, ` +
      `p99 ${fmt(stoa.probe.relay_latency_us.p99 / 1000, 2)} ms (not the latency target's load; see below)`);
  }
}

// Latency at about half the relay's core (run.sh's latency runs).
const latencyRuns = {};
for (const shape of latencyShapes) for (const relay of relays) latencyRuns[`${shape}-${relay}`] = read(`relay-latency-${shape}-${relay}.json`);
if (latencyShapes.length) {
  lines.push('');
  lines.push('relay-added latency, relay held at about half its core (talkers\' frame rate calibrated; probe = speaker\'s write to the kernel\'s receipt on a probe listener\'s socket):');
  for (const shape of latencyShapes) {
    for (const relay of relays) {
      const r = latencyRuns[`${shape}-${relay}`];
      if (!r) {
        lines.push(`  ${shape} ${relay}: (no result)`);
        continue;
      }
      const load = r.load || {};
      const p = r.probe || {};
      const pl = p.relay_latency_us || {};
      const reached = load.reached === true;
      lines.push(`  ${shape} ${pad(relay, 8)}: ${r.listeners} listeners, talk rate ${fmt(load.talk_rate, 3)}, relay CPU ${fmt(100 * load.window_relay_cpu_share, 1)}% ` +
        `(target ${fmt(100 * (load.target_relay_cpu_share || 0))}% +/- ${fmt(100 * (load.tolerance || 0))}: ${reached ? 'reached' : 'NOT REACHED'})` +
        `, ${fmt(r.deliveries_per_s)} deliveries/s; probe p50 ${fmt(pl.p50 / 1000, 2)} ms p99 ${fmt(pl.p99 / 1000, 2)} ms max ${fmt(pl.max / 1000, 2)} ms ` +
        `(${fmt(pl.samples)} samples, ${fmt(p.listeners)} probes); read by the generator p99 ${fmt(p.read_latency_us ? p.read_latency_us.p99 / 1000 : undefined, 2)} ms; ` +
        `all listeners p99 ${fmt(r.latency_from_write_us ? r.latency_from_write_us.p99 / 1000 : undefined, 2)} ms; lost ${fmt(100 * r.loss_ratio, 2)}%` +
        (r.completed ? '' : `  INCOMPLETE: ${r.failure}`) + (reached ? '' : `  (${load.why_not || 'target load not reached'})`));
    }
  }
  const r = latencyRuns['A-stoa'];
  if (r) {
    const load = r.load || {};
    const p99 = r.probe && r.probe.relay_latency_us && r.probe.relay_latency_us.samples > 0 ? r.probe.relay_latency_us.p99 / 1000 : undefined;
    const problems = [];
    if (!r.completed) problems.push(`the run did not complete: ${r.failure}`);
    if (load.reached !== true) problems.push(`relay CPU ${fmt(100 * load.window_relay_cpu_share, 1)}%, not about 50%: ${load.why_not || '?'}`);
    if (r.listeners !== 3000) problems.push(`${r.listeners} listeners, not 3,000`);
    if (p99 === undefined) problems.push('no probe samples');
    const met = problems.length === 0 && p99 < 5;
    ratios.A_stoa_p99_ms_at_half_core = { value: p99, relay_cpu_share: load.window_relay_cpu_share, talk_rate: load.talk_rate, listeners: r.listeners,
      target: '< 5 at 3,000 listeners, relay at about 50%', measured_at_target_load: problems.length === 0, met };
    lines.push(problems.length
      ? `shape A: stoa p99 relay-added latency ${fmt(p99, 2)} ms, NOT MEASURED AT THE TARGET'S LOAD (${problems.join('; ')}) (target < 5 ms at 3,000 listeners, relay at about 50%) NOT MET`
      : `shape A: stoa p99 relay-added latency ${fmt(p99, 2)} ms at 3,000 listeners, relay at ${fmt(100 * load.window_relay_cpu_share, 1)}% (talk rate ${fmt(load.talk_rate, 3)}) (target < 5 ms) ${verdict(met)}`);
  }
}
console.log(lines.join('\n'));
fs.writeFileSync(path.join(outDir, 'relay-summary.json'), JSON.stringify({ runs, latency: latencyRuns, floor, ratios }, null, 2) + '\n');
