#!/usr/bin/env bash
# Issues 5 and 10's peer comparison: N members connect and receive 50 frames a second of 121 bytes,
# run by each generator pinned to one core, at several N in one invocation, side by side with the
# recv() floor (the least CPU a reader can spend per frame). Prints one table per N with issue 10's
# targets next to it and writes build/bench-peers/peers-summary.txt.
#
#   tests/bench/loadgen/peers.sh                       # N = 500, 2000 and 5000 (about 15-20 minutes)
#   tests/bench/loadgen/peers.sh 2000                  # one N
#   TOOLS="recv-batched stoa-load" WINDOW=10 tests/bench/loadgen/peers.sh 500 2000
#   STOA_LOAD=build/native/loadgen/app/stoa-load STOA_SERVER=build/native/server/stoa-server BUILD=0 \
#     tests/bench/loadgen/peers.sh
#
# The tools (TOOLS; default "recv-per-frame recv-batched stoa-load-plain stoa-load artillery"):
#   recv-per-frame   peers/recv_floor.cpp --per-frame against the fixture: epoll (level-triggered),
#                    one recv() per readable event, i.e. one per frame; counts bytes, parses nothing
#   recv-batched     peers/recv_floor.cpp --batched BULK_MS: no epoll wait for data, every socket
#                    drained with recv(MSG_DONTWAIT) every BULK_MS (100) ms, several frames a read
#   stoa-load-plain  stoa-load --protocol plain against the fixture: N members (the room's host, a
#                    speaker whose frames the fixture discards, and N - 1 listeners), every one
#                    receiving and counting the fixture's frames; no decryption
#   stoa-load        stoa-load against stoa-server, the real protocol: 1 speaker talking
#                    continuously and N listeners that authenticate and decrypt every frame
#   artillery        Artillery 2.0.21 (ws engine, one worker) against the fixture: connect and think
#   tsung            Tsung (ts_websocket) against the fixture; not in the default list: it cannot
#                    hold 2,000 on one core (docs/performance.md)
# The fixture (peers/fixture.cpp) sends every connection a 121-byte binary WebSocket message, the
# size of a Stoa audio frame, 50 times a second. Each generator runs pinned to core GENERATOR_CPU
# (1), the fixture or stoa-server to FIXTURE_CPU (0); only the generator is measured:
#   - CPU: utime+stime of the generator's process tree (/proc) across a steady window of WINDOW s
#     that starts SETTLE s after all N members are connected and receiving;
#   - µs per frame: that CPU per second / frames per second the server side delivered in the window
#     (the fixture's frames_sent, stoa-server's stoa_media_frames_out_total), each a rate on its own
#     clock; the generator's own count is in the details (recv floor: its status file; stoa-load:
#     the report's frames.received against frames.expected over the whole run);
#   - members per core: N / the cores the generator used in the window (linear extrapolation; for
#     stoa-load the speaker's cost is charged to its N listeners);
#   - memory: the tree's summed VmRSS, the largest sample in the window, minus the same tool's
#     figure with 1 member (a baseline run, BASELINE=1), divided by N - 1 ("KB/added");
#   - the run as a whole under /usr/bin/time -v (start-up and ramp included), for reference.
# A run counts only if, at both ends of the window, the generator's own processes held N established
# sockets to the server side (ss -p) and the fixture (or stoa-server's /metrics) held N members; the
# server side delivered at least 99.9% of the frames due in the window (the fixture counts what was
# due, one frame per open connection per timer expiration; for stoa-server, N x 50/s on its clock,
# less one frame per member for the phase of the two /metrics snapshots); and those sockets held
# little unread data (Recv-Q under 2 KB per member), i.e. the generator was reading. Otherwise FAILED.
# After the window the generator is asked to stop (SIGTERM; stoa-load then writes its report and
# exits with its verdict: 3 planned members never joined, 4 it judged itself saturated, shown as
# "saturated" in the table).
#
# Environment: TOOLS (above), RAMP (10 s), SETTLE (3 s), WINDOW (20 s), BULK_MS (100: recv-batched's
# drain interval), CONNECT_SLACK (45 s: how long after the ramp all N may take to connect before the
# run fails), BASELINE (1: also run each tool with 1 member), STOA_LOAD (the stoa-load binary;
# default BUILD_DIR/loadgen/app/stoa-load, built there if the build knows the target), STOA_SERVER
# (default BUILD_DIR/server/stoa-server, built there unless given), BUILD_DIR (build/native), BUILD
# (1; 0 never builds), BUILD_JOBS (1), STOA_LOAD_FLAGS (extra flags for both stoa-load tools),
# FIXTURE_CPU (0), GENERATOR_CPU (1), SERVER_NICE (-10: the fixture and stoa-server keep their 50 Hz
# ticks on a busy machine), GENERATOR_NICE (-10: likewise the generator, whose reads, and for stoa-load
# its speaker's 50 Hz, keep pace; the same for every tool), PORT_BASE (18600), SUMMARY_ONLY (1: no runs, the tables of the last ones
# for the Ns given). Installs tsung (apt, only if asked for) and Artillery 2.0.21 (npm, from the
# committed lockfile, into build/bench-peers/node) when absent; builds the fixture and the recv floor
# with g++ -O2. Everything listens on 127.0.0.1; every wait is bounded; what the script starts is
# stopped on exit.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
here="$root/tests/bench/loadgen/peers"
out="$root/build/bench-peers"
node_dir="$out/node"
default_tools="recv-per-frame recv-batched stoa-load-plain stoa-load artillery"
all_tools="recv-per-frame recv-batched stoa-load-plain stoa-load artillery tsung"
tools=${TOOLS:-$default_tools}
ramp=${RAMP:-10}
settle=${SETTLE:-3}
window=${WINDOW:-20}
bulk_ms=${BULK_MS:-100}
baseline=${BASELINE:-1}
build=${BUILD_DIR:-$root/build/native}
build_jobs=${BUILD_JOBS:-1}
stoa_load=${STOA_LOAD:-$build/loadgen/app/stoa-load}
fixture_cpu=${FIXTURE_CPU:-0}
generator_cpu=${GENERATOR_CPU:-1}
server_nice=${SERVER_NICE:--10}
generator_nice=${GENERATOR_NICE:--10}
port=${PORT_BASE:-18600}
frame_bytes=121  # see docs/performance.md: 80 B Opus + 13 B media header + 7 B SFrame header + 16 B tag + 5 B relay header
frame_rate=50
connect_slack=${CONNECT_SLACK:-45}  # seconds after the ramp that members may take to connect
summary_only=${SUMMARY_ONLY:-0}
hz=$(getconf CLK_TCK)

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'peers.sh: %s\n' "$*" >&2; exit 1; }

# ---- The Ns: arguments, else MEMBERS, else 500 2000 5000; ascending, each once ----
if (( $# > 0 )); then ns_given="$*"; else ns_given=${MEMBERS:-"500 2000 5000"}; fi
for n in $ns_given; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -ge 2 ]] || die "N must be a number of at least 2, not '$n'"
done
read -r -a ns <<<"$(tr ' ' '\n' <<<"$ns_given" | sed '/^$/d' | sort -n -u | tr '\n' ' ')"
max_n=${ns[-1]}
for tool in $tools; do
  [[ " $all_tools " == *" $tool "* ]] || die "unknown tool $tool (known: $all_tools)"
done
[[ "$bulk_ms" =~ ^[0-9]+$ && "$bulk_ms" -ge 1 ]] || die "BULK_MS must be a whole number of milliseconds"
mkdir -p "$out"

# ---- Processes this script started, stopped on exit ----
server_pid=""
tool_pid=""   # a process group of its own (setsid): /usr/bin/time, timeout --foreground, the tool and all it spawned
epmd_was_running=0
if pgrep -x epmd >/dev/null 2>&1; then epmd_was_running=1; fi

stop_tool() {
  if [[ -n "$tool_pid" ]]; then
    # The tool's own processes first, so /usr/bin/time outlives them and writes its figures.
    local pid
    if kill -0 "$tool_pid" 2>/dev/null; then
      for pid in $(tree_pids "$tool_pid"); do kill -KILL "$pid" 2>/dev/null || true; done
      for _ in $(seq 1 50); do kill -0 "$tool_pid" 2>/dev/null || break; sleep 0.1; done
    fi
    # Then whatever is left of the group, and the reaping.
    kill -KILL -- "-$tool_pid" 2>/dev/null || true
    wait "$tool_pid" 2>/dev/null || true
  fi
  tool_pid=""
}
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 80); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  if [[ -n "$server_pid" ]]; then wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
stop_epmd() {  # Tsung's Erlang VM starts epmd as a daemon; stop it only if this script caused it
  if [[ "$epmd_was_running" -eq 0 ]]; then
    local pid
    for pid in $(pgrep -x epmd 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  fi
}
cleanup() { stop_tool; stop_server; if [[ " $tools " == *" tsung "* ]]; then stop_epmd; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- File descriptors: N sockets in the generator and N in the fixture ----
if [[ "$summary_only" != 1 ]]; then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  (( $(ulimit -n) >= max_n + 1000 )) || die "need $((max_n + 1000)) open files, the limit is $(ulimit -n)"
fi

# ---- What each tool needs ----
wants() { [[ " $tools " == *" $1 "* ]]; }
uses_fixture() { [[ "$1" != stoa-load ]]; }
wants_fixture=0
for tool in $tools; do if uses_fixture "$tool"; then wants_fixture=1; fi; done

if [[ "$summary_only" != 1 && "$wants_fixture" == 1 ]]; then
  if [[ ! -f /usr/include/openssl/evp.h ]]; then
    log "installing libssl-dev (the fixture's SHA-1 for the WebSocket handshake)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libssl-dev >/dev/null
  fi
  fixture="$out/stoa-peers-fixture"
  if [[ ! -x "$fixture" || "$here/fixture.cpp" -nt "$fixture" ]]; then
    log "building the fixture"
    g++ -std=c++20 -O2 -Wall -Wextra -o "$fixture" "$here/fixture.cpp" -lcrypto
  fi
fi
recv_floor="$out/stoa-peers-recv-floor"
if [[ "$summary_only" != 1 ]] && { wants recv-per-frame || wants recv-batched; }; then
  if [[ ! -x "$recv_floor" || "$here/recv_floor.cpp" -nt "$recv_floor" ]]; then
    log "building the recv floor"
    g++ -std=c++20 -O2 -Wall -Wextra -o "$recv_floor" "$here/recv_floor.cpp"
  fi
fi
if [[ "$summary_only" != 1 ]] && wants tsung && ! command -v tsung >/dev/null 2>&1; then
  log "installing tsung (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tsung >/dev/null
fi
if [[ "$summary_only" != 1 ]] && wants artillery; then
  mkdir -p "$node_dir"
  cp "$here/package.json" "$here/package-lock.json" "$node_dir/"
  if ! cmp -s "$here/package-lock.json" "$node_dir/node_modules/.stoa-installed-lock.json" 2>/dev/null; then
    log "installing Artillery into $node_dir (npm ci --ignore-scripts; about 600 MB)"
    (cd "$node_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
    cp "$here/package-lock.json" "$node_dir/node_modules/.stoa-installed-lock.json"
  fi
fi
stoa_skip=""    # why stoa-load and stoa-load-plain are not run
server_skip=""  # why stoa-load (against stoa-server) is not run
if wants stoa-load || wants stoa-load-plain; then
  server=${STOA_SERVER:-$build/server/stoa-server}
  if [[ "${BUILD:-1}" != 1 || "$summary_only" == 1 ]]; then
    :
  elif [[ -z "${STOA_LOAD:-}" && -f "$build/build.ninja" ]] && ninja -C "$build" -t targets all 2>/dev/null | grep -q '^stoa-load:'; then
    log "building stoa-server and stoa-load in $build (-j$build_jobs)"
    cmake --build "$build" -j"$build_jobs" --target stoa-server stoa-load >"$out/build.log" 2>&1 ||
      log "the build failed (see $out/build.log); using the binaries already there, if any"
  elif [[ -z "${STOA_SERVER:-}" && -x "$stoa_load" && -f "$build/build.ninja" ]] && wants stoa-load; then
    log "building stoa-server in $build (-j$build_jobs)"
    cmake --build "$build" -j"$build_jobs" --target stoa-server >"$out/build.log" 2>&1 ||
      log "the build failed (see $out/build.log); using the binary already there, if any"
  fi
  if [[ ! -x "$stoa_load" ]]; then
    stoa_skip="no stoa-load binary at $stoa_load (set STOA_LOAD, or build the native preset once it has the target)"
  elif wants stoa-load && [[ ! -x "$server" ]]; then
    server_skip="no stoa-server binary at $server"
  fi
  if [[ -z "$stoa_skip" ]]; then
    # Measure copies: a build running next to this script must not swap the binaries mid-run.
    mkdir -p "$out/bin"
    if [[ "$summary_only" != 1 ]]; then
      [[ "$stoa_load" -ef "$out/bin/stoa-load" ]] || cp "$stoa_load" "$out/bin/stoa-load"
      if [[ -z "$server_skip" && -x "$server" ]]; then
        [[ "$server" -ef "$out/bin/stoa-server" ]] || cp "$server" "$out/bin/stoa-server"
      fi
    fi
    stoa_load="$out/bin/stoa-load"
    server="$out/bin/stoa-server"
    "$stoa_load" --help >/dev/null 2>&1 || stoa_skip="$stoa_load --help failed (a binary caught mid-link?)"
  fi
  [[ -z "$stoa_skip" ]] || log "skipping stoa-load and stoa-load-plain: $stoa_skip"
  [[ -z "$server_skip" ]] || log "skipping stoa-load: $server_skip"
fi
skip_reason() {  # TOOL: why it is not run, or nothing
  case "$1" in
    stoa-load) echo "${stoa_skip:-$server_skip}" ;;
    stoa-load-plain) echo "$stoa_skip" ;;
  esac
}

now_us() { local t=$EPOCHREALTIME; echo "${t/[.,]/}"; }  # microseconds, from bash itself

# ---- Measuring a process tree from /proc ----
tree_pids() {  # ROOT: the root and its descendants, less the `time` and `timeout` wrappers
  local -a pids=("$1")
  local i=0 child comm
  while (( i < ${#pids[@]} )); do
    # shellcheck disable=SC2013  # the children files are lists of pids separated by spaces
    for child in $(cat /proc/"${pids[i]}"/task/*/children 2>/dev/null); do pids+=("$child"); done
    i=$((i + 1))
  done
  for child in "${pids[@]}"; do
    comm=$(cat /proc/"$child"/comm 2>/dev/null) || continue
    [[ "$comm" == time || "$comm" == timeout ]] || echo "$child"
  done
}
tree_cpu_ticks() {  # ROOT: utime+stime (+ those of waited-for children) of the tree, in clock ticks
  local total=0 pid stat
  for pid in $(tree_pids "$1"); do
    stat=$(cat /proc/"$pid"/stat 2>/dev/null) || continue
    stat=${stat##*) }  # the fields after the command name, which may hold spaces
    read -r -a f <<<"$stat"
    total=$((total + f[11] + f[12] + f[13] + f[14]))
  done
  echo "$total"
}
tree_rss_kb() {  # ROOT: the tree's VmRSS, summed
  local total=0 pid kb
  for pid in $(tree_pids "$1"); do
    kb=$(awk '/^VmRSS:/ {print $2}' /proc/"$pid"/status 2>/dev/null) || continue
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}
tool_sockets() {  # ROOT PORT: "sockets unread_bytes" over the tree's established sockets to PORT
  local pids
  pids=$(tree_pids "$1" | tr '\n' ' ')
  ss -Htnp state established "( dport = :$2 )" 2>/dev/null | awk -v pids=" $pids" '
    { if (match($0, /pid=[0-9]+/) && index(pids, " " substr($0, RSTART + 4, RLENGTH - 4) " ")) { n++; q += $1 } }
    END {printf "%d %d\n", n, q}'
}

# What the server side saw: "members frames_delivered clock_s frames_due aux", from the fixture's
# status file (its own clock; aux: its send() calls) or from stoa-server's /metrics (listeners in
# rooms, deliveries queued, no count of what was due: "-"; aux: the speaker's frames it received).
server_side() {  # TOOL PORT STATUS_FILE
  if [[ "$1" == stoa-load ]]; then
    curl -fsS --max-time 5 "http://127.0.0.1:$2/metrics" |
      awk -v now="$(date +%s.%N)" '/^stoa_members\{role="listener"\}/ {c = $2}
        /^stoa_media_frames_out_total / {f = $2} /^stoa_media_frames_in_total / {i = $2}
        END {printf "%d %d %s - %d\n", c, f, now, i}'
  else
    [[ -s "$3" ]] || { echo "0 0 0 0 0"; return; }
    tr ' ' '\n' <"$3" | awk -F= '{v[$1] = $2}
      END {printf "%d %d %s %d %d\n", v["open"], v["frames_sent"], v["elapsed_s"] + 0, v["frames_due"], v["sends"]}'
  fi
}
# The recv floor's own count from its status file: "frames clock_s".
own_count() {  # STATUS_FILE
  [[ -s "$1" ]] || { echo "0 0"; return; }
  tr ' ' '\n' <"$1" | awk -F= '{v[$1] = $2} END {printf "%d %s\n", v["frames"], v["elapsed_s"] + 0}'
}
# A number from stoa-load's JSON report (the summary's, which comes first), or nothing.
report_value() {  # FILE KEY
  grep -o "\"$2\":[^,}]*" "$1" 2>/dev/null | head -1 | cut -d: -f2 || true
}

start_server_side() {  # TOOL PORT STATUS_FILE LIFETIME_S LOG
  local tool=$1 p=$2 status=$3 lifetime=$4 logfile=$5
  rm -f "$status"
  if [[ "$tool" == stoa-load ]]; then
    nice -n "$server_nice" taskset -c "$fixture_cpu" "$server" --listen 127.0.0.1 --port "$p" --threads 1 \
      --config "$here/stoa_server.json" >"$logfile" 2>&1 &
  else
    nice -n "$server_nice" taskset -c "$fixture_cpu" "$fixture" --listen 127.0.0.1 --port "$p" \
      --frame-bytes "$frame_bytes" --rate "$frame_rate" --duration "$lifetime" --status "$status" >"$logfile" 2>&1 &
  fi
  server_pid=$!
  for _ in $(seq 1 100); do
    if [[ "$tool" == stoa-load ]]; then
      curl -fsS --max-time 2 "http://127.0.0.1:$p/healthz" >/dev/null 2>&1 && return 0
    else
      [[ -s "$status" ]] && return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1  # polling: neither server has another readiness signal
  done
  log "the server side of $tool did not start (see $logfile)"
  return 1
}

start_tool() {  # TOOL N PORT HOLD_S LABEL: starts the generator in its own process group
  local tool=$1 n=$2 p=$3 hold=$4 label=$5
  local limit=$((ramp_now + hold + 90))
  local -a command
  case "$tool" in
    recv-per-frame | recv-batched)
      local mode=(--per-frame)
      [[ "$tool" == recv-batched ]] && mode=(--batched "$bulk_ms")
      rm -f "$out/$label.own"
      command=("$recv_floor" --connect "127.0.0.1:$p" --connections "$n" --ramp "$ramp_now" --duration "$((ramp_now + hold))"
        --frame-bytes "$frame_bytes" --status "$out/$label.own" "${mode[@]}") ;;
    artillery)
      sed -e "s/@PORT@/$p/; s/@RAMP@/$ramp_now/; s/@MEMBERS@/$n/; s/@HOLD@/$hold/g" "$here/artillery.yml.in" >"$out/$label.yml"
      command=(env ARTILLERY_DISABLE_TELEMETRY=true WORKERS=1 "$node_dir/node_modules/.bin/artillery" run "$out/$label.yml") ;;
    tsung)
      local arrival
      # Tsung's arrivals are random (exponential gaps) and a phase ends at its duration whether or
      # not maxnumber users were launched, so the mean rate reaches N in 80% of RAMP, with 6
      # standard deviations to spare; maxnumber stops it at N.
      arrival=$(awk -v n="$n" -v r="$ramp_now" 'BEGIN {printf "%.3f", (n + 6 * sqrt(n) + 10) / (0.8 * r)}')
      sed -e "s/@PORT@/$p/; s/@RAMP@/$ramp_now/; s/@MEMBERS@/$n/; s/@HOLD@/$hold/g; s/@MAX_USERS@/$((n + 1000))/; s/@LIMIT@/$((ramp_now + hold + 30))/; s/@ARRIVAL_RATE@/$arrival/" \
        "$here/tsung.xml.in" >"$out/$label.xml"
      rm -rf "$out/$label-tsung-log" && mkdir -p "$out/$label-tsung-log"
      command=(tsung -n -l "$out/$label-tsung-log" -f "$out/$label.xml" start) ;;
    stoa-load-plain)
      # N members: the room's host (a speaker: the fixture discards what it sends) and N - 1
      # listeners; all N receive the fixture's frames. One worker thread, as below.
      # shellcheck disable=SC2206  # STOA_LOAD_FLAGS is a list of words on purpose
      command=("$stoa_load" --protocol plain --server "ws://127.0.0.1:$p/" --rooms 1 --speakers 1 --listeners "$((n - 1))"
        --talk continuous --ramp "${ramp_now}s" --duration "$((ramp_now + hold))s" --threads 1 --progress log
        --report "$out/$label.json" ${STOA_LOAD_FLAGS:-}) ;;
    stoa-load)
      # One worker thread: the generator has one core, as Artillery has one worker and Tsung one
      # scheduler online.
      # shellcheck disable=SC2206  # STOA_LOAD_FLAGS is a list of words on purpose
      command=("$stoa_load" --server "ws://127.0.0.1:$p/ws" --origin "stoa relay" --rooms 1 --speakers 1 --listeners "$n"
        --talk continuous --ramp "${ramp_now}s" --duration "$((ramp_now + hold))s" --threads 1 --progress log
        --report "$out/$label.json" ${STOA_LOAD_FLAGS:-}) ;;
  esac
  printf '%q ' "${command[@]}" >"$out/$label.command"
  echo >>"$out/$label.command"
  # timeout --foreground stays in the setsid group, so stop_tool's group signal reaches everything.
  setsid /usr/bin/time -v -o "$out/$label.time" timeout --foreground -k 5 "$limit" \
    nice -n "$generator_nice" taskset -c "$generator_cpu" "${command[@]}" \
    >"$out/$label.log" 2>&1 &
  tool_pid=$!
}

# Asks the generator to end (SIGTERM to its own processes, not the wrappers: stoa-load then writes
# its report and exits with its verdict), waits a bounded time, then stops what is left.
end_tool() {  # TOOL
  local pid grace=5  # the recv floor ends at once; Artillery and Tsung are not waited for
  [[ "$1" == stoa-load* ]] && grace=90  # thousands of members to close and a report to write
  if [[ -n "$tool_pid" ]]; then
    for pid in $(tree_pids "$tool_pid"); do kill -TERM "$pid" 2>/dev/null || true; done
    local deadline=$((SECONDS + grace))
    while kill -0 "$tool_pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
  fi
  stop_tool
}

# One run: N members of TOOL; writes $out/LABEL.result (key=value lines). Each member's hold (how
# long the tool keeps it connected) covers the slowest connect the run accepts, the settling time
# and the window; the tool is asked to stop as soon as the window is over.
run_one() {  # TOOL N WINDOW_S SLACK_S LABEL
  local tool=$1 n=$2 win=$3 slack=$4 label=$5
  local hold=$((ramp_now + slack + settle + win + 10))
  local status="$out/$label.fixture" result="$out/$label.result" own="$out/$label.own"
  port=$((port + 1))
  rm -f "$result" "$result.window" "$out/$label.json" "$own"
  log "$label: $tool, $n members, ${ramp_now}s ramp, ${win}s window (port $port)"
  if ! start_server_side "$tool" "$port" "$status" $((2 * ramp_now + hold + 120)) "$out/$label-server.log"; then
    printf 'tool=%s\nmembers=%s\nstatus=FAILED\nreason=server side did not start\n' "$tool" "$n" >"$result"
    stop_server
    return
  fi
  start_tool "$tool" "$n" "$port" "$hold" "$label"

  # Wait until all N are connected (bounded), then let the last ones settle.
  local deadline=$((SECONDS + ramp_now + slack)) connected=0 served=0
  while (( SECONDS < deadline )); do
    read -r connected _ < <(tool_sockets "$tool_pid" "$port")
    read -r served _ < <(server_side "$tool" "$port" "$status" || echo "0 0 0 0 0")
    (( connected >= n && served >= n )) && break
    kill -0 "$tool_pid" 2>/dev/null || break
    sleep 0.5  # polling the server side's counters
  done
  local reason=""
  if (( connected < n || served < n )); then
    reason="only $connected of $n members connected (server side: $served)"
  else
    sleep "$settle"
    local t0 cpu0 connected0 served0 frames0 clock0 due0 aux0 own0 ownclock0
    local t1 cpu1 connected1 served1 frames1 clock1 due1 aux1 own1 ownclock1 rss=0 sample
    read -r served0 frames0 clock0 due0 aux0 < <(server_side "$tool" "$port" "$status")
    read -r own0 ownclock0 < <(own_count "$own")
    read -r connected0 _ < <(tool_sockets "$tool_pid" "$port")
    cpu0=$(tree_cpu_ticks "$tool_pid")
    t0=$(date +%s.%N)
    local window_end left
    window_end=$(( $(now_us) + win * 1000000 ))
    while :; do
      sample=$(tree_rss_kb "$tool_pid")
      (( sample > rss )) && rss=$sample
      left=$(( window_end - $(now_us) ))
      (( left > 0 )) || break
      # The window's length is what is measured; RSS is sampled about once a second within it, and
      # not after its last sleep, so the window ends on time.
      if (( left >= 1000000 )); then sleep 1; else sleep "$(printf '0.%06d' "$left")"; break; fi
    done
    cpu1=$(tree_cpu_ticks "$tool_pid")
    t1=$(date +%s.%N)
    read -r served1 frames1 clock1 due1 aux1 < <(server_side "$tool" "$port" "$status")
    read -r own1 ownclock1 < <(own_count "$own")
    sample=$(tree_rss_kb "$tool_pid")
    (( sample > rss )) && rss=$sample
    local unread
    read -r connected1 unread < <(tool_sockets "$tool_pid" "$port")
    local seconds delivered expected server_seconds grace
    seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
    server_seconds=$(awk -v a="$clock0" -v b="$clock1" 'BEGIN {printf "%.3f", b - a}')
    delivered=$((frames1 - frames0))
    if [[ "$due0" == - ]]; then
      # stoa-server: every listener it holds should get 50 frames a second on its clock, less one
      # frame per member for where in the 20 ms period each /metrics snapshot fell.
      expected=$(awk -v n="$served1" -v r="$frame_rate" -v s="$server_seconds" 'BEGIN {printf "%d", n * r * s}')
      grace=$served1
    else
      expected=$((due1 - due0))
      grace=0
    fi
    {
      echo "window_s=$seconds"
      echo "server_window_s=$server_seconds"
      echo "connected_start=$connected0"
      echo "connected_end=$connected1"
      echo "served_start=$served0"
      echo "served_end=$served1"
      echo "unread_bytes=$unread"
      echo "frames_delivered=$delivered"
      echo "frames_expected=$expected"
      if [[ "$due0" == - ]]; then echo "relay_frames_in=$((aux1 - aux0))"; else echo "fixture_sends=$((aux1 - aux0))"; fi
      if [[ -s "$own" ]]; then
        echo "own_frames=$((own1 - own0))"
        echo "own_window_s=$(awk -v a="$ownclock0" -v b="$ownclock1" 'BEGIN {printf "%.3f", b - a}')"
      fi
      echo "cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$hz" 'BEGIN {printf "%.3f", (b - a) / hz}')"
      echo "rss_kb=$rss"
      echo "load_average=$(cut -d' ' -f1 /proc/loadavg)"
    } >"$result.window"
    if (( connected0 < n || connected1 < n || served0 < n || served1 < n )); then
      reason="members connected: $connected0 at the window's start, $connected1 at its end, of $n (server side: $served0, $served1)"
    elif (( delivered <= 0 )) || awk -v d="$delivered" -v e="$expected" -v g="$grace" 'BEGIN {exit !(d < 0.999 * e - g)}'; then
      reason="only $delivered of $expected frames delivered in the window (99.9% wanted)"
    elif (( unread > n * 2048 )); then
      reason="$unread bytes unread in the members' sockets: the generator was not reading"
    fi
  fi

  end_tool "$tool"
  stop_server
  if [[ "$tool" == tsung ]]; then stop_epmd; fi

  {
    echo "tool=$tool"
    echo "members=$n"
    if [[ -f "$result.window" ]]; then cat "$result.window"; fi
    if [[ -z "$reason" ]]; then echo "status=ok"; else echo "status=FAILED"; echo "reason=$reason"; fi
    awk -F': ' '/User time/ {print "run_user_s=" $2} /System time/ {print "run_system_s=" $2}
                /Maximum resident/ {print "run_max_rss_kb=" $2} /Elapsed/ {print "run_wall=" $2}
                /Exit status/ {print "run_exit=" $2} /terminated by signal/ {sub(/.*signal /, ""); print "run_signal=" $0}' \
      "$out/$label.time" 2>/dev/null
    if [[ -f "$out/$label.json" ]]; then
      local key
      for key in frames.received frames.expected frames.loss members.probe members.bulk generator.cpu_us \
        generator.saturated_workers generator.loop_lag.p99 generator.busy_share errors.count decrypt.failures \
        members.never_joined auth.signatures_verified auth.signatures_shared; do
        echo "report_$key=$(report_value "$out/$label.json" "$key")"
      done
    fi
    if uses_fixture "$tool" && [[ -f "$status" ]]; then echo "fixture=$(cat "$status")"; fi
    if [[ -f "$own" ]]; then echo "own=$(cat "$own")"; fi
  } >"$result"
  rm -f "$result.window"
  if [[ -n "$reason" ]]; then log "$label: FAILED: $reason (see $out/$label.log)"; else log "$label: ok"; fi
  sleep 2  # the last run's sockets close before the next one starts
}

field() { awk -F= -v k="$2" '$1 == k {sub(/^[^=]*=/, ""); print; exit}' "$1" 2>/dev/null; }

# ---- The runs (SUMMARY_ONLY=1 prints the tables of the last runs again) ----
if [[ "$summary_only" != 1 ]]; then
  runs=0
  for tool in $tools; do
    [[ -z "$(skip_reason "$tool")" ]] || continue
    [[ "$baseline" == 1 ]] && runs=$((runs + 1))
    runs=$((runs + ${#ns[@]}))
  done
  log "$runs runs (N = ${ns[*]}; tools: $tools): about $(( (runs * (ramp + settle + window + 12) + 59) / 60 )) minutes if every run holds its N"
  if [[ "$baseline" == 1 ]]; then
    for tool in $tools; do
      [[ -z "$(skip_reason "$tool")" ]] || continue
      ramp_now=1
      run_one "$tool" 1 5 10 "peers-$tool-1"
    done
  fi
  for n in "${ns[@]}"; do
    for tool in $tools; do
      [[ -z "$(skip_reason "$tool")" ]] || continue
      ramp_now=$ramp
      run_one "$tool" "$n" "$window" "$connect_slack" "peers-$tool-$n"
    done
  done
fi

# ---- The tables ----
# Per result: "cores us_per_frame cpu_per_member_min members_per_core kb_added gross_kb rss_mb delivered_pct unread_per_member"
figures() {  # RESULT BASELINE_RESULT
  local r=$1 b=$2 base_rss=""
  if [[ -f "$b" && "$(field "$b" status)" == ok ]]; then base_rss=$(field "$b" rss_kb); fi
  awk -v cpu="$(field "$r" cpu_s)" -v s="$(field "$r" window_s)" -v ss="$(field "$r" server_window_s)" \
    -v n="$(field "$r" members)" -v f="$(field "$r" frames_delivered)" -v e="$(field "$r" frames_expected)" \
    -v rss="$(field "$r" rss_kb)" -v base="$base_rss" -v unread="$(field "$r" unread_bytes)" 'BEGIN {
      cores = cpu / s; rate = (ss > 0 ? f / ss : 0)
      printf "%.3f %s %.5f %s %s %.1f %.1f %s %.0f\n", cores, (rate > 0 ? sprintf("%.2f", cores * 1e6 / rate) : "-"),
        cores * 60 / n, (cores > 0 ? sprintf("%.0f", n / cores) : "-"),
        (base == "" ? "-" : sprintf("%.1f", (rss - base) / (n - 1))), rss / n, rss / 1024,
        (e > 0 ? sprintf("%.2f%%", 100 * f / e) : "-"), unread / n }'
}
verdict() {  # RESULT: what the generator said of itself
  local code signal
  code=$(field "$1" run_exit)
  signal=$(field "$1" run_signal)
  case "$(field "$1" tool)" in
    recv-*) echo "exit ${code:--}" ;;
    stoa-load | stoa-load-plain)
      case "$code" in
        0) echo "exit 0" ;;
        3) echo "exit 3 failed" ;;
        4) echo "exit 4 saturated" ;;
        "") echo "-" ;;
        *) echo "exit $code${signal:+ (signal $signal)}" ;;
      esac ;;
    *) echo "stopped" ;;
  esac
}
targets() {  # N: issue 10's targets against this N's stoa-load rows
  local n=$1 t r line
  met() { awk -v v="$1" -v lim="$2" -v op="$3" 'BEGIN { if (v == "-" || v == "") { print "no figure (no valid 1-member baseline?)"; exit }
    ok = (op == "<=" ? v + 0 <= lim + 0 : v + 0 >= lim + 0); print (ok ? "met" : "NOT met") }'; }
  wants stoa-load || wants stoa-load-plain || return 0
  echo "issue 10's targets at N = $n (stoa-load: the real protocol; stoa-load-plain: the same client, fixture frames):"
  for t in stoa-load stoa-load-plain; do
    wants "$t" || continue
    r="$out/peers-$t-$n.result"
    if [[ ! -f "$r" || "$(field "$r" status)" != ok ]]; then
      echo "  $t: no valid run at $n"
      continue
    fi
    read -r _ usf _ mpc kba _ < <(figures "$r" "$out/peers-$t-1.result")
    local note=""
    [[ "$(verdict "$r")" == *saturated* ]] && note=" (the generator judged itself saturated)"
    line="  $t$note: $usf µs/frame (<= 3 at 2,000$([[ "$n" == 2000 ]] || echo ", here at $n"): $(met "$usf" 3 '<=')); "
    if [[ "$t" == stoa-load ]]; then
      local ok6000
      ok6000=$(met "$mpc" 6000 '>=')
      [[ -n "$note" && "$ok6000" == met ]] && ok6000="NOT met: saturated"
      line+="$mpc listeners/core, every frame authenticated and decrypted (>= 6,000: $ok6000); "
    fi
    local art="$out/peers-artillery-$n.result" ratio="-"
    if [[ -f "$art" && "$(field "$art" status)" == ok ]]; then
      local ampc
      read -r _ _ _ ampc _ < <(figures "$art" "$out/peers-artillery-1.result")
      ratio=$(awk -v a="$mpc" -v b="$ampc" 'BEGIN { print (a == "-" || b == "-" || b + 0 <= 0) ? "-" : sprintf("%.2f", a / b) }')
    fi
    local vs_artillery="no valid Artillery run"
    [[ "$ratio" == - ]] || vs_artillery=$(met "$ratio" 3 '>=')
    line+="${ratio}x Artillery's members/core (>= 3: $vs_artillery); "
    line+="$kba KB/added member (<= 8: $(met "$kba" 8 '<='))"
    echo "$line"
  done
}

summary="$out/peers-summary.txt"
{
  echo "Generators on one core vs the recv() floor: N members receiving $frame_rate frames/s of $frame_bytes bytes"
  window_text="${window}s steady window"
  [[ "$summary_only" != 1 ]] || window_text="steady window as run (window_s below)"
  echo "generator on core $generator_cpu, fixture / stoa-server on core $fixture_cpu; $window_text; tables made $(date -u +%FT%TZ)"
  echo "core = generator CPU-s per second of the window; µs/frame = that / frames per second the server side delivered in the"
  echo "  window (fixture frames_sent, stoa-server stoa_media_frames_out_total); CPU-s/mm = CPU-s per member-minute;"
  echo "  members/core = N / core (extrapolated; stoa-load's speaker charged to its N listeners); ×Art = that / Artillery's"
  echo "KB/added = (tree RSS at N - tree RSS with 1 member) / (N - 1); gross KB = tree RSS at N / N; delivered = of the frames"
  echo "  due in the window; Recv-Q = unread bytes per member at the window's end; verdict = stoa-load's exit code"
  row() { printf '%-16s %-11s %-6s %-9s %-9s %-12s %-6s %-9s %-9s %-7s %-10s %-7s %s\n' "$@"; }
  for n in "${ns[@]}"; do
    echo
    echo "N = $n"
    row tool held core µs/frame CPU-s/mm members/core ×Art KB/added "gross KB" "RSS MB" delivered Recv-Q verdict
    art_mpc=""
    ar="$out/peers-artillery-$n.result"
    if wants artillery && [[ -f "$ar" && "$(field "$ar" status)" == ok ]]; then
      read -r _ _ _ art_mpc _ < <(figures "$ar" "$out/peers-artillery-1.result")
    fi
    for tool in $all_tools; do
      wants "$tool" || continue
      r="$out/peers-$tool-$n.result"
      if [[ -n "$(skip_reason "$tool")" ]]; then
        printf '%-16s %s\n' "$tool" "not run: $(skip_reason "$tool")"
        continue
      fi
      [[ -f "$r" ]] || { printf '%-16s %s\n' "$tool" "no result"; continue; }
      if [[ "$(field "$r" status)" != ok ]]; then
        printf '%-16s %-11s %s\n' "$tool" "?/$n" "FAILED: $(field "$r" reason) [$(verdict "$r")]"
        continue
      fi
      read -r cores usf cpm mpc kba gross rss_mb dpct unread < <(figures "$r" "$out/peers-$tool-1.result")
      vs=$(awk -v a="$mpc" -v b="$art_mpc" 'BEGIN { print (a == "-" || b == "" || b == "-" || b + 0 <= 0) ? "-" : sprintf("%.2fx", a / b) }')
      # Members held: the fewer of the generator's own sockets and the server side's count (stoa-load's
      # sockets include its speaker's).
      held=$(( $(field "$r" connected_end) < $(field "$r" served_end) ? $(field "$r" connected_end) : $(field "$r" served_end) ))
      row "$tool" "$held/$n" "$cores" "$usf" "$cpm" "$mpc" "$vs" "$kba" "$gross" "$rss_mb" "$dpct" "$unread" "$(verdict "$r")"
    done
    # A fixture that fell behind its 50 Hz sent frames in pairs: its readers then got several frames
    # per read, which flatters the per-frame figures (the recv-per-frame floor most).
    for tool in $all_tools; do
      r="$out/peers-$tool-$n.result"
      if ! wants "$tool" || ! uses_fixture "$tool" || [[ ! -f "$r" ]]; then continue; fi
      sends=$(field "$r" fixture_sends)
      [[ -n "$sends" && "$sends" -gt 0 ]] || continue
      awk -v f="$(field "$r" frames_delivered)" -v s="$sends" -v t="$tool" 'BEGIN {
        if (f > 1.05 * s) printf "note: the fixture fell behind its 50 Hz in the %s run: %.2f frames per send(), so per read\n", t, f / s }'
    done
    targets "$n"
  done
  echo
  echo "details (window and whole run; run_* from /usr/bin/time -v, start-up and ramp included; own_frames: the recv"
  echo "floor's own count in its window; report_*: stoa-load's report over the whole run; fixture_sends: send() calls in"
  echo "the window, fewer than the frames when the fixture fell behind its 50 Hz and sent frames in pairs; relay_frames_in:"
  echo "the speaker's frames stoa-server received in its window, 50/s when the speaker kept its pace):"
  for tool in $all_tools; do
    wants "$tool" || continue
    for r in "$out/peers-$tool-1.result" "${ns[@]/#/$out/peers-$tool-}"; do
      [[ "$r" == *.result ]] || r="$r.result"
      [[ -f "$r" ]] || continue
      echo "  $(basename "$r" .result): $(grep -v '^tool=' "$r" | tr '\n' ' ')"
    done
  done
} | tee "$summary"
