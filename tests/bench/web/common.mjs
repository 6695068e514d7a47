// Shared by the browser client's benchmarks (tests/bench/web/run.sh): statistics, a tiny static
// file server on 127.0.0.1, and a bounded wait for a page event.
import { once } from 'node:events';
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// Nearest-rank percentile (p in 0..100) of `values`.
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

// Least-squares slope of ys over xs (NaN with fewer than two points or no spread in xs).
export function slope(xs, ys) {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return NaN;
  const mx = xs.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const my = ys.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i += 1) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : NaN;
}

export const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : String(value));

// A number from the environment, or `fallback`.
export function envNumber(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${name}=${text} is not a number`);
  return value;
}

const mimeTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

// Serves `files` ({"/url-path": absolute file path or {body, type}}) on 127.0.0.1 at a free port,
// with the headers that make a page cross-origin isolated (COOP + COEP), so Chromium's
// performance.now() has its finest resolution (5 µs rather than 100 µs). Resolves with
// {url, close()}.
export async function serveFiles(files) {
  const server = http.createServer((request, response) => {
    const target = new URL(request.url, 'http://127.0.0.1').pathname;
    const entry = files[target];
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    if (!entry) {
      response.writeHead(404, headers).end('not found');
      return;
    }
    if (typeof entry === 'object') {
      response.writeHead(200, { ...headers, 'Content-Type': entry.type }).end(entry.body);
      return;
    }
    const type = mimeTypes[path.extname(entry)] ?? 'application/octet-stream';
    response.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': statSync(entry).size });
    createReadStream(entry).pipe(response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

// Prints a table of rows (arrays of cells) with a header row, columns padded.
export function printTable(header, rows) {
  const widths = header.map((cell, column) => Math.max(String(cell).length, ...rows.map((row) => String(row[column]).length)));
  const line = (row) => row.map((cell, column) => String(cell).padEnd(widths[column])).join('  ').trimEnd();
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows) console.log(line(row));
}
