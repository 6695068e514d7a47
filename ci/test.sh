#!/usr/bin/env bash
# The README's test command: installs what is needed, then builds and runs every test suite:
# the native suite, the same suite under AddressSanitizer + UndefinedBehaviorSanitizer, the relay's
# and server's tests and a 2-thread load run under ThreadSanitizer, a short run of every libFuzzer
# target from its checked-in seeds, and the WebAssembly build under Node (after
# ci/build-wasm-deps.sh has built libopus and libsodium for it), then the browser tests
# (tests/web/run.sh: Chromium against the native relay and bots, and the staged wasm client).
# Prints one summary at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/setup.sh

jobs=$(nproc)
summary=()
total_passed=0
total_failed=0
status=0

# run_suite PRESET: configure, build and test one preset, recording its ctest counts.
run_suite() {
  local preset=$1
  echo "::: stoa: configure + build preset '$preset'"
  cmake --preset "$preset" > "build/$preset.configure.log" 2>&1 || { cat "build/$preset.configure.log"; return 1; }
  cmake --build --preset "$preset" -j "$jobs"
  echo "::: stoa: test preset '$preset'"
  local log="build/$preset.ctest.log"
  set +e
  ctest --preset "$preset" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  local line
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1 || true)
  local failed total
  failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
  if [ -z "$line" ]; then failed=1; total=0; fi
  total_passed=$((total_passed + total - failed))
  total_failed=$((total_failed + failed))
  summary+=("$preset: $((total - failed)) passed, $failed failed")
  [ "$rc" -eq 0 ] || status=1
}

mkdir -p build
# Debian's Emscripten needs this to find its JS optimizer's modules.
export NODE_PATH=/usr/share/nodejs
for preset in native asan tsan fuzz wasm; do
  # The wasm preset links the Emscripten builds of libopus and libsodium (cached after the first run).
  if [ "$preset" = wasm ] && ! bash ci/build-wasm-deps.sh; then
    summary+=("wasm: not run (ci/build-wasm-deps.sh failed)")
    total_failed=$((total_failed + 1))
    status=1
    continue
  fi
  run_suite "$preset" || status=1
done

# The browser tests count like a suite: their runner ends with "web: N passed, N failed, ...".
echo "::: stoa: browser tests (tests/web)"
set +e
bash tests/web/run.sh 2>&1 | tee build/web.test.log
web_rc=${PIPESTATUS[0]}
set -e
web_line=$(grep -E '^web: [0-9]+ passed, [0-9]+ failed' build/web.test.log | tail -1 || true)
if [ -n "$web_line" ]; then
  total_passed=$((total_passed + $(sed -E 's/^web: ([0-9]+) passed.*/\1/' <<<"$web_line")))
  total_failed=$((total_failed + $(sed -E 's/^web: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$web_line")))
  summary+=("$web_line")
else
  summary+=("web: no summary (tests/web/run.sh exited $web_rc)")
  total_failed=$((total_failed + 1))
fi
[ "$web_rc" -eq 0 ] || status=1

echo
echo "::: stoa test summary"
for line in "${summary[@]}"; do echo "  $line"; done
echo "stoa: $total_passed passed, $total_failed failed"
exit "$status"
