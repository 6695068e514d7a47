#!/usr/bin/env bash
# loadgen/relay-restart.sh: the reconnect storm against a real relay restart. Starts stoa-server
# (loadgen/relay-for-load.json), runs stoa-load with loadgen/scenarios/relay-restart.toml against
# it, kills the relay with SIGKILL KILL_AFTER seconds into the run, starts it again on the same
# port DOWN_FOR seconds later, and exits with stoa-load's status: 0 only when every room came
# back under its id, every member got back in and every listener heard its room again (the
# scenario's thresholds), 1 a threshold failed, 3 members never got back (docs/loadgen.md).
#
#   bash loadgen/relay-restart.sh [stoa-load flags...]     e.g. --listeners 2000 --html restart.html
#
# Environment: BUILD (default ./build/native), STOA_SERVER, STOA_LOAD (the binaries), PORT (8190),
# KILL_AFTER (15 s after stoa-load starts), DOWN_FOR (1 s), REPORT (relay-restart-report.json),
# SCENARIO, LOG_DIR (where the relay's two logs go; a temporary directory by default).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${BUILD:-$here/../build/native}"
server="${STOA_SERVER:-$build/server/stoa-server}"
load="${STOA_LOAD:-$build/loadgen/app/stoa-load}"
port="${PORT:-8190}"
kill_after="${KILL_AFTER:-15}"
down_for="${DOWN_FOR:-1}"
report="${REPORT:-relay-restart-report.json}"
scenario="${SCENARIO:-$here/scenarios/relay-restart.toml}"
logs="${LOG_DIR:-$(mktemp -d)}"
mkdir -p "$logs"
origin="http://127.0.0.1:$port"

for binary in "$server" "$load"; do
  [[ -x "$binary" ]] || { echo "relay-restart: $binary is not built (set BUILD, STOA_SERVER or STOA_LOAD)" >&2; exit 2; }
done

relay=""
load_pid=""
cleanup() {
  [[ -n "$load_pid" ]] && kill "$load_pid" 2>/dev/null || true
  [[ -n "$relay" ]] && kill "$relay" 2>/dev/null || true
}
trap cleanup EXIT

# Starts the relay and returns once it says it listens (at most 15 s).
start_relay() {
  local log="$1"
  "$server" --listen 127.0.0.1 --port "$port" --origin "$origin" --config "$here/relay-for-load.json" >"$log" 2>&1 &
  relay=$!
  for _ in $(seq 150); do
    grep -q "listening on" "$log" && return 0
    kill -0 "$relay" 2>/dev/null || break
    sleep 0.1
  done
  echo "relay-restart: stoa-server did not start; its log ($log):" >&2
  cat "$log" >&2
  exit 2
}

start_relay "$logs/relay-1.log"
echo "relay-restart: stoa-server $relay on port $port (logs in $logs)" >&2

"$load" --scenario "$scenario" --server "ws://127.0.0.1:$port/ws" --origin "$origin" --report "$report" \
  --progress log "$@" &
load_pid=$!

sleep "$kill_after"
if ! kill -0 "$load_pid" 2>/dev/null; then
  echo "relay-restart: stoa-load ended before the planned restart (KILL_AFTER=$kill_after s)" >&2
  wait "$load_pid" || true
  load_pid=""
  exit 2
fi
kill -9 "$relay"
wait "$relay" 2>/dev/null || true
echo "relay-restart: killed stoa-server $relay with SIGKILL at $(date +%T)" >&2
sleep "$down_for"
start_relay "$logs/relay-2.log"
echo "relay-restart: stoa-server $relay started again on port $port at $(date +%T)" >&2

status=0
wait "$load_pid" || status=$?
load_pid=""
echo "relay-restart: stoa-load exited $status (report: $report)" >&2
exit "$status"
