#!/usr/bin/env bash
# The browser tests: installs tests/web's npm packages when they are missing or the lockfile
# changed, checks the native binaries they drive, runs node's test runner over tests/web/unit (when
# present) and tests/web/e2e, and ends with "web: N passed, N failed, N skipped".
#   bash tests/web/run.sh             run them (STOA_NATIVE_BUILD=build/DIR for another native build)
#   bash tests/web/run.sh --install   only the npm packages (ci/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."

web=tests/web
native=${STOA_NATIVE_BUILD:-build/native}

# npm ci is skipped while node_modules matches the lockfile it was installed from (the stamp).
# playwright-core has no install script, and none runs: no browser is ever downloaded.
install() {
  local stamp=$web/node_modules/.stoa-package-lock.json
  if [ -d "$web/node_modules/playwright-core" ] && cmp -s "$web/package-lock.json" "$stamp"; then return 0; fi
  echo "web: npm ci in $web"
  (cd "$web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
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

suites=()
[ -d "$web/unit" ] && suites+=("$web/unit")
suites+=("$web/e2e")
mkdir -p build
log=build/web.node-test.log
export STOA_NATIVE_BUILD=$native
echo "web: node --test ${suites[*]} (native build $native)"
set +e
# Every test bounds its own steps; the outer limit only catches a runner that hangs.
timeout --kill-after=30 1800 node --test --test-reporter=spec "${suites[@]}" 2>&1 | tee "$log"
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
echo "web: $passed passed, $failed failed, ${skipped:-0} skipped"
[ "$failed" -eq 0 ]
