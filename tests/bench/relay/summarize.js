// Reads build/bench/relay-*.json and prints the relay benchmark's table and target ratios;
// writes the same as build/bench/relay-summary.json. Usage: node summarize.js OUT_DIR "A B" "stoa ws socketio"
'use strict';
const fs = require('fs');
const path = require('path');

const [outDir, shapesArg = 'A B', relaysArg = 'stoa ws socketio'] = process.argv.slice(2);
const shapes = shapesArg.split(/\s+/).filter(Boolean);
const relays = relaysArg.split(/\s+/).filter(Boolean);
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
  lines.push(`send() floor: ${floor.sends} sends of ${floor.bytes} B to ${floor.connections} loopback sockets at ${floor.rate_hz}/s: ` +
    `${fmt(floor.cpu_ns_per_send)} ns CPU per send (${fmt(floor.sends_per_cpu_s)} sends per CPU-second, ${fmt(100 * floor.sender_cpu_share)}% of a core)`);
}

const ratios = {};
lines.push('');
for (const shape of shapes) {
  const stoa = runs[`${shape}-stoa`];
  const baselines = ['ws', 'socketio'].map((b) => runs[`${shape}-${b}`]).filter((r) => r && r.deliveries_per_relay_cpu_s > 0);
  if (stoa && baselines.length) {
    const best = baselines.reduce((a, b) => (a.deliveries_per_relay_cpu_s >= b.deliveries_per_relay_cpu_s ? a : b));
    const ratio = stoa.deliveries_per_relay_cpu_s / best.deliveries_per_relay_cpu_s;
    ratios[`${shape}_stoa_vs_best_baseline`] = { ratio, baseline: best.protocol, target: '>= 5', met: ratio >= 5 };
    lines.push(`shape ${shape}: stoa deliveries per relay CPU-second / best baseline (${best.protocol}) = ${fmt(ratio, 2)}x (target >= 5x) ${ratio >= 5 ? 'MET' : 'NOT MET'}`);
  }
  if (stoa) {
    const p99 = stoa.latency_us.p99 / 1000;
    ratios[`${shape}_stoa_p99_ms`] = { value: p99, target: '< 5', met: p99 < 5 };
    lines.push(`shape ${shape}: stoa p99 relay-added latency ${fmt(p99, 2)} ms (target < 5 ms) ${p99 < 5 ? 'MET' : 'NOT MET'}`);
  }
  if (shape === 'A' && stoa) {
    const met = stoa.deliveries_per_relay_cpu_s >= 1e6;
    ratios.A_stoa_deliveries_per_cpu_s = { value: stoa.deliveries_per_relay_cpu_s, target: '>= 1,000,000', met };
    lines.push(`shape A: stoa ${fmt(stoa.deliveries_per_relay_cpu_s)} deliveries per relay CPU-second (target >= 1,000,000) ${met ? 'MET' : 'NOT MET'}`);
  }
  if (shape === 'B' && stoa && floor && floor.cpu_ns_per_send > 0) {
    const ratio = stoa.relay_cpu_ns_per_delivery / floor.cpu_ns_per_send;
    ratios.B_stoa_vs_send_floor = { ratio, target: '<= 1.5', met: ratio <= 1.5 };
    lines.push(`shape B: stoa CPU per delivery / send() floor = ${fmt(stoa.relay_cpu_ns_per_delivery)} / ${fmt(floor.cpu_ns_per_send)} ns = ${fmt(ratio, 2)}x (target <= 1.5x) ${ratio <= 1.5 ? 'MET' : 'NOT MET'}`);
  }
}
console.log(lines.join('\n'));
fs.writeFileSync(path.join(outDir, 'relay-summary.json'), JSON.stringify({ runs, floor, ratios }, null, 2) + '\n');
