// What stoa-core.wasm is made of: relinks it from build/wasm's own objects and link line (read
// from build.ninja) with --emit-symbol-map added, checks that the result matches the served
// build/wasm/web/stoa-core.wasm (the data section byte for byte, the same number of functions
// and the same code section size; the code bytes themselves differ, as the JS minifier names and
// orders the imports differently, which renumbers calls and reorders some functions), and
// attributes every function body of the relinked module to a component by its name: libopus and
// libsodium by the symbols their archives define, nlohmann::json by namespace, stoa (the core and
// its C API, including the std:: templates instantiated for its types), and the rest (libc,
// libc++, malloc). Code inlined into a function counts for that function's component. The gzip
// column compresses each component's bodies alone (gzip -9): an estimate of its share of the
// file's gzip size.
//
//   node tests/bench/web/wasm-breakdown.mjs
// Environment: STOA_WASM_BUILD (build/wasm). Needs em++ (Debian's Emscripten) and llvm-nm.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { repoRoot } from '../../web/harness.mjs';
import { printTable } from './common.mjs';

const run = promisify(execFile);
const wasmBuild = path.resolve(repoRoot, process.env.STOA_WASM_BUILD ?? 'build/wasm');
const served = path.join(wasmBuild, 'web', 'stoa-core.wasm');
if (!existsSync(served)) throw new Error(`${served} is missing: build the wasm preset`);

// ---- the link line of stoa-core from build.ninja ----
const ninja = readFileSync(path.join(wasmBuild, 'build.ninja'), 'utf8').split('\n');
const at = ninja.findIndex((line) => line.startsWith('build wasm/stoa-core.js:'));
if (at < 0) throw new Error('no stoa-core link step in build.ninja');
const objects = ninja[at].split(':').slice(1).join(':').split('|')[0].trim().split(/\s+/).slice(1);
const variables = {};
for (let i = at + 1; i < ninja.length && ninja[i].startsWith('  '); i++) {
  const [name, ...value] = ninja[i].trim().split(' = ');
  variables[name] = value.join(' = ');
}
const libraries = variables.LINK_LIBRARIES.trim().split(/\s+/);
const outDir = mkdtempSync(path.join(tmpdir(), 'stoa-wasm-breakdown-'));
const command = `em++ ${variables.FLAGS} ${variables.LINK_FLAGS} --emit-symbol-map ${objects.join(' ')} -o ${outDir}/stoa-core.js ${libraries.join(' ')}`;
try {
  await run('sh', ['-c', command], {
    cwd: wasmBuild,
    env: { ...process.env, NODE_PATH: process.env.NODE_PATH ?? '/usr/share/nodejs' },
    maxBuffer: 1 << 24,
  });
  var relinked = readFileSync(path.join(outDir, 'stoa-core.wasm'));
  var symbolMap = readFileSync(path.join(outDir, 'stoa-core.js.symbols'), 'utf8');
} finally {
  rmSync(outDir, { recursive: true, force: true });
}

// ---- a minimal reader of the wasm binary format ----
function sections(bytes) {
  const r = reader(bytes);
  r.skip(8); // magic and version
  const found = [];
  while (r.offset < bytes.length) {
    const id = bytes[r.offset];
    r.skip(1);
    const size = r.leb();
    const start = r.offset;
    found.push({ id, start, size, bytes: bytes.subarray(start, start + size) });
    r.skip(size);
  }
  return { found, get: (id) => found.find((s) => s.id === id) };
}

function reader(bytes) {
  let offset = 0;
  return {
    leb() {
      let result = 0;
      let shift = 0;
      for (;;) {
        const byte = bytes[offset++];
        result += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if (!(byte & 0x80)) return result;
      }
    },
    skip(n) {
      offset += n;
    },
    name() {
      const length = this.leb();
      offset += length;
    },
    get offset() {
      return offset;
    },
  };
}

const SECTION_IMPORT = 2;
const SECTION_CODE = 10;
const SECTION_DATA = 11;
const servedSections = sections(readFileSync(served));
const relinkedSections = sections(relinked);
if (!Buffer.from(servedSections.get(SECTION_DATA).bytes).equals(Buffer.from(relinkedSections.get(SECTION_DATA).bytes))) {
  throw new Error(`the relinked wasm's data differs from ${served}: the build is out of date or not reproducible`);
}
// Imported functions come first in the function index space.
let importedFunctions = 0;
{
  const r = reader(relinkedSections.get(SECTION_IMPORT).bytes);
  const count = r.leb();
  for (let i = 0; i < count; i++) {
    r.name();
    r.name();
    const kind = r.leb();
    if (kind === 0) {
      r.leb();
      importedFunctions += 1;
    } else if (kind === 1) {
      r.skip(1);
      const flags = r.leb();
      r.leb();
      if (flags & 1) r.leb();
    } else if (kind === 2) {
      const flags = r.leb();
      r.leb();
      if (flags & 1) r.leb();
    } else if (kind === 3) {
      r.skip(2);
    } else throw new Error(`import kind ${kind}`);
  }
}
function functionBodies(code) {
  const r = reader(code);
  const count = r.leb();
  const found = [];
  for (let i = 0; i < count; i++) {
    const size = r.leb();
    found.push(code.subarray(r.offset, r.offset + size));
    r.skip(size);
  }
  return found;
}
const servedBodies = functionBodies(servedSections.get(SECTION_CODE).bytes);
const bodies = functionBodies(relinkedSections.get(SECTION_CODE).bytes); // what the symbol map names
if (servedBodies.length !== bodies.length || relinkedSections.get(SECTION_CODE).size !== servedSections.get(SECTION_CODE).size) {
  throw new Error(`the relinked wasm's functions differ from ${served}: the build is out of date or not reproducible`);
}

// ---- names and components ----
const names = new Map();
for (const line of symbolMap.split('\n')) {
  const colon = line.indexOf(':');
  if (colon > 0) names.set(Number(line.slice(0, colon)), line.slice(colon + 1).replace(/\\([0-9a-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))));
}
async function definedFunctions(archive) {
  const { stdout } = await run('llvm-nm', ['--defined-only', archive], { maxBuffer: 1 << 26 });
  return new Set(stdout.split('\n').filter((line) => / [Tt] /.test(line)).map((line) => line.split(' ').at(-1)));
}
const opus = await definedFunctions(libraries.find((l) => l.endsWith('libopus.a')));
const sodium = await definedFunctions(libraries.find((l) => l.endsWith('libsodium.a')));
function component(name) {
  if (opus.has(name)) return 'libopus';
  if (sodium.has(name)) return 'libsodium';
  if (name.startsWith('nlohmann::') || (!name.startsWith('stoa::') && name.includes('nlohmann::'))) return 'nlohmann::json';
  if (name.includes('stoa::') || name.startsWith('stoa_')) return 'stoa (core + C API)';
  return 'runtime (libc, libc++, malloc)';
}
const totals = new Map();
bodies.forEach((body, i) => {
  const name = names.get(importedFunctions + i) ?? '';
  const key = component(name);
  if (!totals.has(key)) totals.set(key, { bytes: 0, functions: 0, parts: [] });
  const entry = totals.get(key);
  entry.bytes += body.length;
  entry.functions += 1;
  entry.parts.push(body);
});

const fileSize = readFileSync(served).length;
const gzipped = gzipSync(readFileSync(served), { level: 9 }).length;
const codeSize = servedSections.get(SECTION_CODE).size;
const dataSize = servedSections.get(SECTION_DATA).size;
const kb = (n) => (n / 1000).toFixed(1);
const rows = [...totals.entries()]
  .sort((a, b) => b[1].bytes - a[1].bytes)
  .map(([key, entry]) => [key, entry.functions, kb(entry.bytes), `${((100 * entry.bytes) / codeSize).toFixed(1)}%`, kb(gzipSync(Buffer.concat(entry.parts), { level: 9 }).length)]);
rows.push(['code section', bodies.length, kb(codeSize), '100%', kb(gzipSync(Buffer.from(servedSections.get(SECTION_CODE).bytes), { level: 9 }).length)]);
rows.push(['data section (constant tables and strings, all components)', '', kb(dataSize), '', kb(gzipSync(Buffer.from(servedSections.get(SECTION_DATA).bytes), { level: 9 }).length)]);
rows.push(['whole file', '', kb(fileSize), '', kb(gzipped)]);
console.log(`${path.relative(repoRoot, served)}: ${fileSize} bytes, gzip -9 ${gzipped}; relinked with --emit-symbol-map: the same data, function count and code size\n`);
printTable(['component', 'functions', 'code KB', 'of code', 'gzip -9 KB (alone)'], rows);
