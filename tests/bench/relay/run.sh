#!/usr/bin/env bash
# The relay benchmark (issue 3): shapes A (10 talkers, 3,000 listeners) and B (1 speaker, 5,000
# listeners) against stoa-server, a `ws` broadcast relay and a Socket.IO room relay, plus the
# send() floor; prints a table and the target ratios, writes build/bench/relay-*.json.
#
#   tests/bench/relay/run.sh                 # everything, 30 s measured per run (about 15 minutes)
#   DURATION=10 SHAPES=B RELAYS="stoa ws" tests/bench/relay/run.sh
#
# Environment: DURATION (measured seconds, default 30), WARMUP (3), SHAPES ("A B"), RELAYS
# ("stoa ws socketio"), BUILD_DIR (build/native, configured with the native preset if absent),
# RELAY_CPU (0) and GENERATOR_CPU (1), DECRYPT_EVERY (one stoa listener in N decrypts; 50),
# BENCH_NICE (0; e.g. -10 to shield both processes from other work on a busy machine),
# LISTENERS_A / LISTENERS_B (override a shape's 3,000 / 5,000 listeners, e.g. to find the load a
# relay sustains on this machine).
# Everything is on 127.0.0.1; every wait is bounded; relays started here are stopped on exit.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
here="$root/tests/bench/relay"
build=${BUILD_DIR:-$root/build/native}
out="$root/build/bench"
node_dir="$out/relay-node"
duration=${DURATION:-30}
warmup=${WARMUP:-3}
shapes=${SHAPES:-"A B"}
relays=${RELAYS:-"stoa ws socketio"}
relay_cpu=${RELAY_CPU:-0}
generator_cpu=${GENERATOR_CPU:-1}
decrypt_every=${DECRYPT_EVERY:-50}
bench_nice=${BENCH_NICE:-0}
port=${PORT_BASE:-18480}

log() { printf '== %s\n' "$*" >&2; }

mkdir -p "$out"

# ---- Build the native targets ----
if [[ ! -f "$build/build.ninja" ]]; then
  if [[ "$build" == "$root/build/native" ]]; then
    cmake --preset native -S "$root" >/dev/null
  else
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTOA_BUILD_BENCHMARKS=ON >/dev/null
  fi
fi
log "building stoa_relay_bench stoa_send_floor in $build"
cmake --build "$build" -j2 --target stoa_relay_bench stoa_send_floor >/dev/null
if [[ " $relays " == *" stoa "* ]]; then
  log "building stoa-server in $build"
  cmake --build "$build" -j2 --target stoa-server >"$out/relay-stoa-build.log" 2>&1 ||
    log "stoa-server did not build (see $out/relay-stoa-build.log); using the last binary if there is one"
fi
generator="$build/tests/bench/relay/stoa_relay_bench"
floor="$build/tests/bench/relay/stoa_send_floor"
server="$build/server/stoa-server"

# ---- The npm baselines, from the committed lockfile ----
mkdir -p "$node_dir"
cp "$here/package.json" "$here/package-lock.json" "$here/baseline_ws.js" "$here/baseline_socketio.js" "$node_dir/"
if ! cmp -s "$here/package-lock.json" "$node_dir/node_modules/.stoa-installed-lock.json" 2>/dev/null; then
  log "installing the npm baselines into $node_dir"
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$here/package-lock.json" "$node_dir/node_modules/.stoa-installed-lock.json"
fi

# ---- File descriptors: 5,000 connections on each side ----
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (( $(ulimit -n) < 12000 )); then
  echo "run.sh: need at least 12000 open files, have $(ulimit -n) (raise the hard limit)" >&2
  exit 1
fi

relay_pid=""
stop_relay() {
  if [[ -n "$relay_pid" ]] && kill -0 "$relay_pid" 2>/dev/null; then
    kill "$relay_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$relay_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$relay_pid" 2>/dev/null || true
    wait "$relay_pid" 2>/dev/null || true
  fi
  relay_pid=""
}
trap stop_relay EXIT INT TERM

start_relay() {  # relay port
  local relay=$1 p=$2
  case "$relay" in
    stoa) nice -n "$bench_nice" taskset -c "$relay_cpu" "$server" --listen 127.0.0.1 --port "$p" --threads 1 \
            --config "$here/stoa_server_bench.json" >"$out/relay-$relay.log" 2>&1 & ;;
    ws) (cd "$node_dir" && exec nice -n "$bench_nice" taskset -c "$relay_cpu" node baseline_ws.js "$p") >"$out/relay-$relay.log" 2>&1 & ;;
    socketio) (cd "$node_dir" && exec nice -n "$bench_nice" taskset -c "$relay_cpu" node baseline_socketio.js "$p") >"$out/relay-$relay.log" 2>&1 & ;;
    *) echo "run.sh: unknown relay $relay" >&2; exit 2 ;;
  esac
  relay_pid=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then return 0; fi
    kill -0 "$relay_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: $relay did not start listening on $p (see $out/relay-$relay.log)" >&2
  return 1
}

for shape in $shapes; do
  for relay in $relays; do
    if [[ "$relay" == stoa && ! -x "$server" ]]; then
      log "skipping stoa: $server was not built"
      continue
    fi
    port=$((port + 1))
    result="$out/relay-$shape-$relay.json"
    rm -f "$result"
    log "shape $shape, $relay: starting the relay on core $relay_cpu, port $port"
    start_relay "$relay" "$port" || { stop_relay; continue; }
    sleep 1  # idle memory settles before the generator reads it
    log "shape $shape, $relay: generator on core $generator_cpu, ${duration}s measured after ${warmup}s warm-up"
    listeners_var="LISTENERS_$shape"
    listeners_flag=()
    if [[ -n "${!listeners_var:-}" ]]; then listeners_flag=(--listeners "${!listeners_var}"); fi
    nice -n "$bench_nice" timeout $((duration + warmup + 400)) taskset -c "$generator_cpu" "$generator" \
      --protocol "$relay" --shape "$shape" "${listeners_flag[@]}" --port "$port" --relay-pid "$relay_pid" --duration "$duration" \
      --warmup "$warmup" --decrypt-every "$decrypt_every" --label "$shape-$relay" --output "$result" \
      >"$out/relay-$shape-$relay.log" 2>&1 || log "shape $shape, $relay: generator failed (see $out/relay-$shape-$relay.log)"
    stop_relay
    sleep 2  # sockets of the last run close before the next relay starts
  done
done

log "send() floor: 5,000 loopback sockets x 50/s, sender on core $relay_cpu, drain on core $generator_cpu"
nice -n "$bench_nice" timeout 120 "$floor" --connections 5000 --rate 50 --bytes 100 --duration 10 \
  --send-cpu "$relay_cpu" --drain-cpu "$generator_cpu" --output "$out/relay-floor.json" >/dev/null

node "$here/summarize.js" "$out" "$shapes" "$relays" | tee "$out/relay-summary.txt"
