#!/usr/bin/env bash
# The browser tests: installs tests/web's npm packages when they are missing or the lockfile
# changed, checks the native binaries they drive, runs node's test runner over tests/web/unit (when
# present), tests/web/e2e (Chromium) and tests/web/engines (the same tests in Chromium, Firefox ESR
# and WebKitGTK), prints one line per engine ("web (firefox): N passed, N failed, N skipped") and
# ends with "web: N passed, N failed, N skipped" (what ci/test.sh reads).
# With CI=true an engine that is not installed fails its tests; otherwise they are skipped.
#   bash tests/web/run.sh             run them (STOA_NATIVE_BUILD=build/DIR for another native build)
#   bash tests/web/run.sh --install   only the npm packages (ci/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."

web=tests/web
native=${STOA_NATIVE_BUILD:-build/native}

# npm ci is skipped while node_modules matches the lockfile it was installed from (the stamp).
# No install script runs (--ignore-scripts; the packages' skip-download variables are set too):
# playwright-core and puppeteer-core drive Debian's chromium and firefox-esr, selenium-webdriver
# Debian's WebKitWebDriver, and no browser or driver is ever downloaded.
install() {
  local stamp=$web/node_modules/.stoa-package-lock.json
  local package present=1
  for package in playwright-core puppeteer-core selenium-webdriver; do
    [ -d "$web/node_modules/$package" ] || present=0
  done
  if [ "$present" -eq 1 ] && cmp -s "$web/package-lock.json" "$stamp"; then return 0; fi
  echo "web: npm ci in $web"
  (cd "$web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 \
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$web/package-lock.json" "$stamp"
}

if [ "${1:-}" = "--install" ]; then
  install
  exit 0
fi

fail() {
  echo "web: $1" >&2
  echo "web: 0 passed, 1 failed"
  exit 1
}

install || fail "npm ci failed"
for binary in server/stoa-server server/bot/stoa-bot; do
  [ -x "$native/$binary" ] || fail "$native/$binary is missing: build the native preset first"
done
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing: bash ci/setup.sh installs it"
# Firefox and WebKitGTK: their tests say what is missing (and fail with CI=true); said here too.
for binary in /usr/bin/firefox-esr /usr/bin/WebKitWebDriver /usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser \
  /usr/bin/Xvfb /usr/bin/pulseaudio; do
  [ -x "$binary" ] || echo "web: $binary is missing (bash ci/setup.sh installs it): its engine's tests $([ "${CI:-}" = true ] && echo fail || echo are skipped)" >&2
done

suites=()
[ -d "$web/unit" ] && suites+=("$web/unit")
suites+=("$web/e2e" "$web/engines")
mkdir -p build
log=build/web.node-test.log
engine_log=build/web.engines.log
rm -f "$engine_log"
export STOA_NATIVE_BUILD=$native
echo "web: node --test ${suites[*]} (native build $native)"
set +e
# Every test bounds its own steps; the outer limit only catches a runner that hangs.
# Two reporters: the spec reporter to the terminal, and per-engine-reporter.mjs's lines to a file.
timeout --kill-after=30 1800 node --test \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter="./$web/per-engine-reporter.mjs" --test-reporter-destination="$engine_log" \
  "${suites[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# node's spec reporter closes with "ℹ pass N", "ℹ fail N", "ℹ cancelled N", "ℹ skipped N".
count() { grep -E "^ℹ $1 [0-9]+$" "$log" | tail -1 | awk '{print $3}'; }
passed=$(count pass)
failed=$(count fail)
cancelled=$(count cancelled)
skipped=$(count skipped)
if [ -z "$passed" ] || [ -z "$failed" ]; then
  echo "web: the test runner printed no summary (exit $rc)" >&2
  passed=${passed:-0}
  failed=$((${failed:-0} + 1))
fi
failed=$((failed + ${cancelled:-0}))
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # e.g. a file that did not load

# One line per engine (and for the Chromium-only e2e/ and the Node-only unit/ tests). In CI every
# engine must have run: one that reports no test at all counts as a failure.
echo
if [ -s "$engine_log" ]; then cat "$engine_log"; else echo "web: no per-engine counts (see $log)" >&2; fi
for engine in chromium firefox webkit; do
  line=$(grep -E "^web \($engine\): " "$engine_log" 2>/dev/null || true)
  ran=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$line" | awk '{print $1 + $2}')
  if [ "${CI:-}" = true ] && [ "${ran:-0}" -eq 0 ]; then
    echo "web: no $engine test ran" >&2
    failed=$((failed + 1))
  fi
done
echo "web: $passed passed, $failed failed, ${skipped:-0} skipped"
[ "$failed" -eq 0 ]
