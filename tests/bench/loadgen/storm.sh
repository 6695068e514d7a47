#!/usr/bin/env bash
# Issue 5's flagship storm: 10,000 members join one encrypted room within 10 s while 500 are
# already listening, on this machine, the relay pinned to core RELAY_CPU (0) and the generator to
# GENERATOR_CPU (1) (PIN=0: unpinned, as issue 5 ran it). Runs
# loadgen/scenarios/join-storm.toml (or SCENARIO) against a fresh stoa-server and prints
# join-to-first-audio, playout gaps and what each process spent.
#
#   tests/bench/loadgen/storm.sh                   # the scenario as written (3 speakers)
#   STOA_LOAD_FLAGS="--speakers 1" tests/bench/loadgen/storm.sh
#
# Environment: SCENARIO, BUILD_DIR (build/native), STOA_LOAD_FLAGS (extra flags, e.g. thresholds),
# SERVER_THREADS (2; 1 when pinned), OUT (build/bench-storm), PIN (1), RELAY_CPU (0), GENERATOR_CPU (1). Thresholds come from the scenario: first_audio.p99<2s,
# playout.gap_max<100ms, decrypt.failures==0; the exit status is stoa-load's.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=${BUILD_DIR:-$root/build/native}
scenario=${SCENARIO:-$root/loadgen/scenarios/join-storm.toml}
out=${OUT:-$root/build/bench-storm}
pin=${PIN:-1}
relay_cpu=${RELAY_CPU:-0}
generator_cpu=${GENERATOR_CPU:-1}
if [[ "$pin" == 1 ]]; then
  threads=${SERVER_THREADS:-1}
  relay_pin=(taskset -c "$relay_cpu")
  generator_pin=(taskset -c "$generator_cpu")
  generator_threads=(--threads 1)
else
  threads=${SERVER_THREADS:-2}
  relay_pin=()
  generator_pin=()
  generator_threads=()
fi
mkdir -p "$out"

for binary in server/stoa-server loadgen/app/stoa-load; do
  [[ -x "$build/$binary" ]] || cmake --build "$build" --target "$(basename "$binary")"
done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ulimit -n 65536 2>/dev/null || true
# The scenario files name ci/demo.sh's relay and its origin; this relay is told the same origin.
"${relay_pin[@]}" "$build/server/stoa-server" --port "$port" --threads "$threads" --origin "http://127.0.0.1:8080" \
  --config "$root/loadgen/relay-for-load.json" > "$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/healthz" > /dev/null || { echo "storm.sh: the relay did not start" >&2; exit 2; }

hz=$(getconf CLK_TCK)
cpu_of() { awk -v hz="$hz" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
server_cpu_before=$(cpu_of "$server")

status=0
# shellcheck disable=SC2086
/usr/bin/time -v -o "$out/time.txt" "${generator_pin[@]}" "$build/loadgen/app/stoa-load" --scenario "$scenario" \
  --server "ws://127.0.0.1:$port/ws" --origin "http://127.0.0.1:8080" "${generator_threads[@]}" --progress log \
  --report "$out/storm.json" --html "$out/storm.html" ${STOA_LOAD_FLAGS:-} 2> "$out/stoa-load.log" || status=$?
server_cpu=$(awk -v a="$(cpu_of "$server")" -v b="$server_cpu_before" 'BEGIN { printf "%.1f", a - b }')
server_rss=$(awk '/VmHWM/ { print $2 }' "/proc/$server/status")

cat "$out/stoa-load.log"
python3 - "$out/storm.json" "$out/time.txt" "$server_cpu" "$server_rss" <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
s = report["summary"]
time = open(sys.argv[2]).read()
def grab(label):
    m = re.search(re.escape(label) + r":\s*([0-9.]+)", time)
    return float(m.group(1)) if m else float("nan")
cpu = grab("User time (seconds)") + grab("System time (seconds)")
rss = grab("Maximum resident set size (kbytes)")
def ms(path):
    v = s.get(path)
    return "-" if v is None else f"{v * 1000:.0f} ms"
print()
print(f"members planned            {report['run']['members_planned']}")
print(f"joined                     {s.get('joins', 0):.0f} (refused {s.get('joins.refused', 0):.0f}, connect failures {s.get('connect_failures', 0):.0f})")
print(f"join p50 / p99             {ms('join.p50')} / {ms('join.p99')}")
print(f"first audio p50 / p99      {ms('first_audio.p50')} / {ms('first_audio.p99')}")
print(f"frame latency p50 / p99    {ms('frame_latency.p50')} / {ms('frame_latency.p99')}")
print(f"playout gap max            {ms('playout.gap_max')} (gaps heard: {s.get('playout.gap.count', 0):.0f})")
print(f"frames received / loss     {s.get('frames.received', 0):.0f} / {100 * s.get('frames.loss', 0):.3f} %")
print(f"decrypt failures           {s.get('decrypt.failures', 0):.0f}")
print(f"errors                     {s.get('errors.count', 0):.0f}")
print(f"probe / bulk listeners     {s.get('members.probe', 0):.0f} / {s.get('members.bulk', 0):.0f}")
print(f"generator loop lag p99     {ms('generator.loop_lag.p99')}, busy share {100 * s.get('generator.busy_share', 0):.0f} %")
print(f"generator saturated        {'YES: latency figures describe the generator' if s.get('generator.saturated', 0) else 'no'}")
print(f"stoa-load CPU / max RSS    {cpu:.1f} s / {rss / 1024:.0f} MiB")
print(f"stoa-server CPU / max RSS  {sys.argv[3]} s / {int(sys.argv[4]) / 1024:.0f} MiB")
for t in report.get("thresholds", []):
    print(f"threshold {'pass' if t['passed'] else 'FAIL'}  {t['text']}  measured {t.get('measured')}")
PY
echo "stoa-load exit status: $status (0 pass, 1 threshold failed, 3 run failed, 4 generator saturated)"
exit "$status"
