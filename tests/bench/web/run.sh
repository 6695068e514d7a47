#!/usr/bin/env bash
# The browser client's benchmark (issue 4), against the targets:
#   1. decrypt + decode of a 20 ms frame: native vs WebAssembly under Node, in Chromium and in
#      Firefox ESR, one source (tests/bench/client/decrypt_decode.cpp), run alternately (wasm <= 1.3x)
#   2. the client's transferred size in Chromium, per file, and what the wasm is made of (< 250 KB)
#   3. glass-to-glass latency, browser microphone -> stoa-server -> browser speaker (p50 < 80 ms)
#
#   bash tests/bench/web/run.sh                  # all three
#   bash tests/bench/web/run.sh size latency     # some: decrypt, size, breakdown, latency
#   JITTER_MS=30 bash tests/bench/web/run.sh latency   # the same through a jittery link: compare
#                                                      # the listener's late/concealed counts
#
# Environment: STOA_NATIVE_BUILD (stoa-server, stoa-bot and the native bench; build/native),
# STOA_BENCH_NATIVE (the native bench binary, if not in STOA_NATIVE_BUILD), STOA_WASM_BUILD
# (build/wasm), BENCH_NICE (0; e.g. -10 to shield the runs from other work on a busy machine:
# the benchmark's processes and the browser inherit it), and each part's own (REPS, ROUNDS,
# BATCH, BROWSERS, FIREFOX, PUPPETEER_CORE for decrypt-decode.mjs; BEEPS, WARMUP_S, THRESHOLD,
# JITTER_MS, DELAY_MS, JITTER_SEED, BEEP_PERIOD_MS (1000) and SEPARATE_TAP=1 (the old
# separate-context probe beside the client's own tap) for latency.mjs).
# Nothing is built here; what is needed:
#   cmake --preset native && cmake --build --preset native          # or any native build dir
#   bash ci/build-wasm-deps.sh && cmake --preset wasm && cmake --build --preset wasm
# Servers listen on 127.0.0.1 only; every wait is bounded; everything started is stopped.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"
export STOA_NATIVE_BUILD=${STOA_NATIVE_BUILD:-build/native}
export STOA_WASM_BUILD=${STOA_WASM_BUILD:-build/wasm}
bench_nice=${BENCH_NICE:-0}
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(decrypt size breakdown latency)

bash tests/web/run.sh --install >/dev/null  # playwright-core from tests/web's lockfile

say() { printf '\n== %s\n' "$*"; }
say "$(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "native build $STOA_NATIVE_BUILD${STOA_BENCH_NATIVE:+ (bench $STOA_BENCH_NATIVE)}, wasm build $STOA_WASM_BUILD, $(/usr/bin/chromium --version 2>/dev/null), $(${FIREFOX:-/usr/bin/firefox-esr} --version 2>/dev/null || echo 'no firefox-esr'), node $(node --version), nice $bench_nice"
for part in "${parts[@]}"; do
  case $part in
    decrypt) script=decrypt-decode.mjs ;;
    size) script=transfer-size.mjs ;;
    breakdown) script=wasm-breakdown.mjs ;;
    latency) script=latency.mjs ;;
    *) echo "unknown part $part (decrypt, size, breakdown, latency)" >&2; exit 2 ;;
  esac
  say "$part: node tests/bench/web/$script"
  # The outer limit only catches a hang; every step inside is bounded on its own.
  timeout --kill-after=30 1800 nice -n "$bench_nice" node "tests/bench/web/$script"
done
say "done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
