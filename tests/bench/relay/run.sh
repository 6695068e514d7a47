#!/usr/bin/env bash
# The relay benchmark (issue 3): shapes A (10 talkers, 3,000 listeners) and B (1 speaker, 5,000
# listeners) against stoa-server, a `ws` broadcast relay and a Socket.IO room relay, plus the
# send() floors (send, writev, io_uring), then a latency run per relay with the relay held at
# about half its core; prints a table and the target ratios, writes build/bench/relay-*.json.
#
#   tests/bench/relay/run.sh                 # everything, 30 s measured per run (about 20 minutes)
#   DURATION=10 SHAPES=B RELAYS="stoa ws" tests/bench/relay/run.sh
#   LATENCY=only DURATION=10 RELAYS=stoa tests/bench/relay/run.sh   # only the latency run(s)
#
# Environment: OUT_DIR (build/bench), DURATION (measured seconds, default 30), WARMUP (3), SHAPES ("A B"), RELAYS
# ("stoa stoa-writev ws socketio"; stoa-writev is stoa-server with io_uring off), BUILD_DIR (build/native, configured with the native preset if absent),
# RELAY_CPU (0) and GENERATOR_CPU (1), DECRYPT_EVERY (one stoa listener in N decrypts; 50),
# BENCH_NICE (0; e.g. -10 to shield both processes from other work on a busy machine),
# LISTENERS_A / LISTENERS_B (override a shape's 3,000 / 5,000 listeners, e.g. to find the load a
# relay sustains on this machine), PROBES (probe listeners taking kernel receive timestamps; 8),
# FLOOR_MODES ("send,writev,uring,uring_sendmsg") and FLOOR_DURATION (seconds per mode; 10),
# LATENCY (1: after the throughput runs, one run per relay of each LATENCY_SHAPES ("A") with the
# talkers' frame rate calibrated so the relay uses LATENCY_TARGET (0.5) of its core; 0: none;
# only: nothing else).
# Everything is on 127.0.0.1; every wait is bounded; relays started here are stopped on exit.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
here="$root/tests/bench/relay"
build=${BUILD_DIR:-$root/build/native}
out=${OUT_DIR:-$root/build/bench}
node_dir="$out/relay-node"
duration=${DURATION:-30}
warmup=${WARMUP:-3}
shapes=${SHAPES:-"A B"}
relays=${RELAYS:-"stoa stoa-writev ws socketio"}
relay_cpu=${RELAY_CPU:-0}
generator_cpu=${GENERATOR_CPU:-1}
decrypt_every=${DECRYPT_EVERY:-50}
bench_nice=${BENCH_NICE:-0}
port=${PORT_BASE:-18480}
probes=${PROBES:-8}
floor_modes=${FLOOR_MODES:-send,writev,uring,uring_sendmsg}
floor_duration=${FLOOR_DURATION:-10}
latency=${LATENCY:-1}
latency_shapes=${LATENCY_SHAPES:-A}
latency_target=${LATENCY_TARGET:-0.5}
case "$latency" in 0|1|only) ;; *) echo "run.sh: LATENCY is 0, 1 or only" >&2; exit 2 ;; esac

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
    # The same server writing each connection with writev: the io_uring write path's comparison.
    stoa-writev) nice -n "$bench_nice" taskset -c "$relay_cpu" "$server" --listen 127.0.0.1 --port "$p" --threads 1 \
            --config "$here/stoa_server_bench_writev.json" >"$out/relay-$relay.log" 2>&1 & ;;
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

run_generator() {  # shape relay result-name [generator flags...]
  local shape=$1 relay=$2 name=$3
  shift 3
  if [[ "$relay" == stoa* && ! -x "$server" ]]; then
    log "skipping stoa: $server was not built"
    return 0
  fi
  port=$((port + 1))
  local result="$out/relay-$name.json"
  rm -f "$result"
  log "$name: starting the relay on core $relay_cpu, port $port"
  start_relay "$relay" "$port" || { stop_relay; return 0; }
  sleep 1  # idle memory settles before the generator reads it
  log "$name: generator on core $generator_cpu, ${duration}s measured after ${warmup}s warm-up $*"
  local listeners_var="LISTENERS_$shape"
  local listeners_flag=()
  if [[ -n "${!listeners_var:-}" ]]; then listeners_flag=(--listeners "${!listeners_var}"); fi
  nice -n "$bench_nice" timeout $((duration + warmup + 460)) taskset -c "$generator_cpu" "$generator" \
    --protocol "${relay%%-*}" --shape "$shape" "${listeners_flag[@]}" --port "$port" --relay-pid "$relay_pid" --duration "$duration" \
    --warmup "$warmup" --decrypt-every "$decrypt_every" --probes "$probes" --label "$name" --output "$result" "$@" \
    >"$out/relay-$name.log" 2>&1 || log "$name: generator failed (see $out/relay-$name.log)"
  grep -h "TARGET LOAD NOT REACHED" "$out/relay-$name.log" >&2 || true
  stop_relay
  sleep 2  # sockets of the last run close before the next relay starts
}

if [[ "$latency" != only ]]; then
  for shape in $shapes; do
    for relay in $relays; do
      run_generator "$shape" "$relay" "$shape-$relay"
    done
  done

  log "send() floors ($floor_modes, ${floor_duration}s each in turns): 5,000 loopback sockets x 50/s, sender on core $relay_cpu, drain on core $generator_cpu"
  nice -n "$bench_nice" timeout $((30 * floor_duration + 60)) "$floor" --connections 5000 --rate 50 --bytes 100 \
    --duration "$floor_duration" --modes "$floor_modes" --send-cpu "$relay_cpu" --drain-cpu "$generator_cpu" \
    --output "$out/relay-floor.json" >/dev/null
fi

# Relay-added latency with the relay at about LATENCY_TARGET of its core: the talkers' frame rate
# is calibrated down (never the listeners), probe listeners report the kernel's receive time.
if [[ "$latency" != 0 ]]; then
  for shape in $latency_shapes; do
    for relay in $relays; do
      run_generator "$shape" "$relay" "latency-$shape-$relay" --target-relay-cpu "$latency_target"
    done
  done
fi

summary_shapes=$shapes summary_latency_shapes=$latency_shapes
if [[ "$latency" == only ]]; then summary_shapes=""; fi
if [[ "$latency" == 0 ]]; then summary_latency_shapes=""; fi
node "$here/summarize.js" "$out" "$summary_shapes" "$relays" "$summary_latency_shapes" | tee "$out/relay-summary.txt"
