#!/usr/bin/env bash
# The tsan preset's load run: a 2-thread stoa-server under 2 speakers and 300 listeners (a join
# storm, then churn) from a 2-thread stoa-load, both built with ThreadSanitizer. Passes when
# stoa-load's run did not fail, neither process printed a ThreadSanitizer report, and the relay
# drained and exited 0 on SIGTERM. stoa-load's "generator saturated" (exit 4, judged after a failed
# run's 3) is accepted: TSan slows the generator's own loop past its 50 ms lag limit, which says
# nothing about races.
# usage: tsan_load_run.sh STOA_SERVER STOA_LOAD RELAY_CONFIG WORK_DIR
set -euo pipefail
server_bin=$1 load_bin=$2 relay_config=$3 work=$4

rm -rf "$work"
mkdir -p "$work"
server_out=$work/server.out server_err=$work/server.err load_err=$work/load.err

# The relay picks a free port (--port 0) and names it in its "listening on" line, printed once it
# accepts; reading that line through a FIFO waits for exactly that event.
mkfifo "$work/server.fifo"
"$server_bin" --listen 127.0.0.1 --port 0 --threads 2 --config "$relay_config" \
  >"$work/server.fifo" 2>"$server_err" &
server_pid=$!
trap 'kill -KILL "$server_pid" 2>/dev/null || true' EXIT
exec {server_fd}<"$work/server.fifo"

show() { echo "--- $1"; cat "$1"; }
fail() {
  echo "tsan_load_run: $*"
  show "$server_out"
  show "$server_err"
  [ -f "$load_err" ] && show "$load_err"
  exit 1
}

port=
while IFS= read -r -t 120 -u "$server_fd" line; do
  echo "$line" >>"$server_out"
  if [[ $line =~ listening\ on\ http://127\.0\.0\.1:([0-9]+)/ ]]; then
    port=${BASH_REMATCH[1]}
    break
  fi
done
[ -n "$port" ] || fail "stoa-server did not start listening within 120 s"
# Keep draining the relay's stdout so it never blocks on a full pipe.
cat <&"$server_fd" >>"$server_out" &
exec {server_fd}<&-

# ~25 s of load: all 300 listeners join within 5 s, then they churn (30 arrivals/s, 8 s stays).
set +e
timeout 300 "$load_bin" --server "ws://127.0.0.1:$port" --threads 2 --progress off \
  --speakers 2 --listeners 300 --decode 2% \
  --phase join_storm:within=5s,duration=8s --phase churn:duration=16s,arrivals=30/s,mean_stay=8s \
  --report "$work/report.json" >"$work/load.out" 2>"$load_err"
load_rc=$?
set -e
cat "$work/load.out"

# Stop the relay: SIGTERM, then at most 60 s to drain and exit.
kill -TERM "$server_pid" 2>/dev/null || true  # already gone if TSan halted it
if ! timeout 60 tail --pid="$server_pid" -s 0.1 -f /dev/null; then
  fail "stoa-server did not exit within 60 s of SIGTERM"
fi
set +e
wait "$server_pid"
server_rc=$?
set -e
trap - EXIT

grep -q ThreadSanitizer "$server_err" && fail "ThreadSanitizer report from stoa-server"
grep -q ThreadSanitizer "$load_err" && fail "ThreadSanitizer report from stoa-load"
[ "$load_rc" -eq 0 ] || [ "$load_rc" -eq 4 ] || fail "stoa-load exited $load_rc (0 is a good run, 4 a saturated one)"
[ "$server_rc" -eq 0 ] || fail "stoa-server exited $server_rc after SIGTERM"
echo "tsan_load_run: good run on port $port, no ThreadSanitizer report"
