#!/usr/bin/env bash
# Issue 5's peer comparison: the same simple scenario (N members connect and receive 50 frames a
# second) run by stoa-load, Artillery and Tsung, with the CPU-seconds and memory each generator
# spends per simulated member. Prints a table and writes build/bench-peers/peers-summary.txt.
#
#   tests/bench/loadgen/peers.sh              # N = 2000
#   tests/bench/loadgen/peers.sh 5000
#   TOOLS="artillery tsung" WINDOW=20 tests/bench/loadgen/peers.sh 1000
#
# Artillery and Tsung cannot speak Stoa's protocol, so they load a neutral fixture (peers/fixture.cpp)
# that sends each connection a 121-byte binary message, the size of a Stoa audio frame, 50 times a
# second; stoa-load runs the real protocol against stoa-server (1 speaker talking continuously, N
# listeners that decrypt every frame). Each generator runs pinned to core GENERATOR_CPU (1), the
# fixture or stoa-server to FIXTURE_CPU (0); only the generator's CPU and memory are measured:
#   - CPU: utime+stime of the generator's process tree (/proc) across a steady window of WINDOW s
#     that starts SETTLE s after all N members are connected and receiving;
#   - memory: the tree's summed VmRSS, the largest of the samples taken in that window, minus the
#     same tool's figure with 1 member (a baseline run), divided by N - 1;
#   - the run as a whole under /usr/bin/time -v (start-up and ramp included), for reference.
# A run counts only if, at both ends of the window, the generator's own processes held N established
# sockets to the server side (ss -p) and the fixture (or stoa-server's /metrics) held N members; the
# server side delivered at least 95% of 50 frames a second to each of them in the window; and those
# sockets held little unread data (Recv-Q), i.e. the generator was reading. Otherwise: FAILED.
#
# Environment: TOOLS ("stoa-load artillery tsung"), RAMP (10 s), SETTLE (3 s), WINDOW (30 s),
# CONNECT_SLACK (45 s: how long after the ramp all N may take to connect before the run fails),
# BASELINE (1: also run each tool with 1 member), STOA_LOAD (the stoa-load binary; default
# BUILD_DIR/loadgen/app/stoa-load, built there if the build knows the target), STOA_SERVER (default
# BUILD_DIR/server/stoa-server, built there unless given), BUILD_DIR (build/native), BUILD (1; 0 never
# builds), BUILD_JOBS (1), STOA_LOAD_FLAGS (extra flags), FIXTURE_CPU (0), GENERATOR_CPU (1),
# SERVER_NICE (-10: the fixture and stoa-server keep their 50 Hz ticks on a busy machine),
# PORT_BASE (18600), SUMMARY_ONLY (1: no runs, the table of the last ones). Installs tsung (apt)
# and Artillery 2.0.21 (npm, from the committed lockfile, into build/bench-peers/node) when absent.
# Everything listens on 127.0.0.1; every wait is bounded; what the script starts is stopped on exit.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
here="$root/tests/bench/loadgen/peers"
out="$root/build/bench-peers"
node_dir="$out/node"
members=${1:-${MEMBERS:-2000}}
tools=${TOOLS:-"stoa-load artillery tsung"}
ramp=${RAMP:-10}
settle=${SETTLE:-3}
window=${WINDOW:-30}
baseline=${BASELINE:-1}
build=${BUILD_DIR:-$root/build/native}
build_jobs=${BUILD_JOBS:-1}
stoa_load=${STOA_LOAD:-$build/loadgen/app/stoa-load}
fixture_cpu=${FIXTURE_CPU:-0}
generator_cpu=${GENERATOR_CPU:-1}
server_nice=${SERVER_NICE:--10}
port=${PORT_BASE:-18600}
frame_bytes=121  # see docs/performance.md: 80 B Opus + 13 B media header + 7 B SFrame header + 16 B tag + 5 B relay header
frame_rate=50
connect_slack=${CONNECT_SLACK:-45}  # seconds after the ramp that members may take to connect
hz=$(getconf CLK_TCK)

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'peers.sh: %s\n' "$*" >&2; exit 1; }

[[ "$members" =~ ^[0-9]+$ && "$members" -ge 2 ]] || die "N must be a number of at least 2, not '$members'"
mkdir -p "$out"

# ---- Processes this script started, stopped on exit ----
server_pid=""
tool_pid=""   # a process group of its own (setsid): the tool and all it spawned
epmd_was_running=0
if pgrep -x epmd >/dev/null 2>&1; then epmd_was_running=1; fi

stop_tool() {
  if [[ -n "$tool_pid" ]] && kill -0 "$tool_pid" 2>/dev/null; then
    kill -TERM -- "-$tool_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$tool_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$tool_pid" 2>/dev/null || true
  fi
  if [[ -n "$tool_pid" ]]; then wait "$tool_pid" 2>/dev/null || true; fi
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
cleanup() { stop_tool; stop_server; stop_epmd; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- File descriptors: N sockets in the generator and N in the fixture ----
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(( $(ulimit -n) >= members + 1000 )) || die "need $((members + 1000)) open files, the limit is $(ulimit -n)"

# ---- What each tool needs ----
wants() { [[ " $tools " == *" $1 "* ]]; }

summary_only=${SUMMARY_ONLY:-0}
if [[ "$summary_only" != 1 ]] && { wants artillery || wants tsung; }; then
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
stoa_skip=""
if wants stoa-load; then
  server=${STOA_SERVER:-$build/server/stoa-server}
  if [[ "${BUILD:-1}" != 1 || "$summary_only" == 1 ]]; then
    :
  elif [[ -z "${STOA_LOAD:-}" && -f "$build/build.ninja" ]] && ninja -C "$build" -t targets all 2>/dev/null | grep -q '^stoa-load:'; then
    log "building stoa-server and stoa-load in $build (-j$build_jobs)"
    cmake --build "$build" -j"$build_jobs" --target stoa-server stoa-load >"$out/build.log" 2>&1 ||
      log "the build failed (see $out/build.log); using the binaries already there, if any"
  elif [[ -z "${STOA_SERVER:-}" && -x "$stoa_load" && -f "$build/build.ninja" ]]; then
    log "building stoa-server in $build (-j$build_jobs)"
    cmake --build "$build" -j"$build_jobs" --target stoa-server >"$out/build.log" 2>&1 ||
      log "the build failed (see $out/build.log); using the binary already there, if any"
  fi
  if [[ ! -x "$stoa_load" ]]; then
    stoa_skip="no stoa-load binary at $stoa_load (set STOA_LOAD, or build the native preset once it has the target)"
  elif [[ ! -x "$server" ]]; then
    stoa_skip="no stoa-server binary at $server"
  fi
  if [[ -z "$stoa_skip" ]]; then
    # Measure copies: a build running next to this script must not swap the binaries mid-run.
    mkdir -p "$out/bin"
    if [[ "$summary_only" != 1 ]]; then
      [[ "$stoa_load" -ef "$out/bin/stoa-load" ]] || cp "$stoa_load" "$out/bin/stoa-load"
      [[ "$server" -ef "$out/bin/stoa-server" ]] || cp "$server" "$out/bin/stoa-server"
    fi
    stoa_load="$out/bin/stoa-load"
    server="$out/bin/stoa-server"
    "$stoa_load" --help >/dev/null 2>&1 || stoa_skip="$stoa_load --help failed (a binary caught mid-link?)"
  fi
  [[ -z "$stoa_skip" ]] || log "skipping stoa-load: $stoa_skip"
fi

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

# What the server side saw: "members frames_delivered seconds", from the fixture's status file
# (its own clock) or from stoa-server's /metrics (listeners in rooms, deliveries queued).
fixture_status() { tr ' ' '\n' <"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }
server_side() {  # TOOL PORT STATUS_FILE
  if [[ "$1" == stoa-load ]]; then
    curl -fsS --max-time 5 "http://127.0.0.1:$2/metrics" |
      awk -v now="$(date +%s.%N)" '/^stoa_members\{role="listener"\}/ {c = $2}
        /^stoa_media_frames_out_total / {f = $2} END {printf "%d %d %s\n", c, f, now}'
  else
    echo "$(fixture_status "$3" open) $(fixture_status "$3" frames_sent) $(fixture_status "$3" elapsed_s)"
  fi
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
    stoa-load)
      # shellcheck disable=SC2206  # STOA_LOAD_FLAGS is a list of words on purpose
      # One worker thread: the generator has one core, as Artillery has one worker and Tsung one
      # scheduler online.
      command=("$stoa_load" --server "ws://127.0.0.1:$p/ws" --origin "stoa relay" --rooms 1 --speakers 1 --listeners "$n"
        --talk continuous --ramp "${ramp_now}s" --duration "$((ramp_now + hold))s" --threads 1 --progress log
        --report "$out/$label.json" ${STOA_LOAD_FLAGS:-}) ;;
  esac
  printf '%q ' "${command[@]}" >"$out/$label.command"
  echo >>"$out/$label.command"
  setsid /usr/bin/time -v -o "$out/$label.time" timeout -k 5 "$limit" taskset -c "$generator_cpu" "${command[@]}" \
    >"$out/$label.log" 2>&1 &
  tool_pid=$!
}

# One run: N members of TOOL; writes $out/LABEL.result (key=value lines). Each member stays
# connected for HOLD seconds from its arrival, long enough for the slowest connect the run
# accepts plus the settling time and the window, so the tool ends by itself after the window.
run_one() {  # TOOL N WINDOW_S SLACK_S LABEL
  local tool=$1 n=$2 win=$3 slack=$4 label=$5
  local hold=$((ramp_now + slack + settle + win + 10))
  local status="$out/$label.fixture" result="$out/$label.result"
  port=$((port + 1))
  rm -f "$result" "$out/$label.json"
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
    read -r served _ < <(server_side "$tool" "$port" "$status" || echo "0 0 0")
    (( connected >= n && served >= n )) && break
    kill -0 "$tool_pid" 2>/dev/null || break
    sleep 0.5  # polling the server side's counters
  done
  local reason=""
  if (( connected < n )); then
    reason="only $connected of $n members connected (server side: $served)"
  else
    sleep "$settle"
    local t0 cpu0 connected0 served0 frames0 clock0 t1 cpu1 connected1 served1 frames1 clock1 rss=0 sample
    read -r served0 frames0 clock0 < <(server_side "$tool" "$port" "$status")
    read -r connected0 _ < <(tool_sockets "$tool_pid" "$port")
    cpu0=$(tree_cpu_ticks "$tool_pid")
    t0=$(date +%s.%N)
    local window_end=$((SECONDS + win))
    while (( SECONDS < window_end )); do
      sample=$(tree_rss_kb "$tool_pid")
      (( sample > rss )) && rss=$sample
      sleep 1  # the window's length is what is measured; RSS is sampled once a second within it
    done
    cpu1=$(tree_cpu_ticks "$tool_pid")
    t1=$(date +%s.%N)
    read -r served1 frames1 clock1 < <(server_side "$tool" "$port" "$status")
    sample=$(tree_rss_kb "$tool_pid")
    (( sample > rss )) && rss=$sample
    local unread
    read -r connected1 unread < <(tool_sockets "$tool_pid" "$port")
    local seconds delivered expected
    seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
    delivered=$((frames1 - frames0))
    # Every connection the server side holds should get 50 frames a second on its clock.
    expected=$(awk -v n="$served1" -v r="$frame_rate" -v a="$clock0" -v b="$clock1" 'BEGIN {printf "%d", n * r * (b - a)}')
    {
      echo "window_s=$seconds"
      echo "connected_start=$connected0"
      echo "connected_end=$connected1"
      echo "served_start=$served0"
      echo "served_end=$served1"
      echo "unread_bytes=$unread"
      echo "frames_delivered=$delivered"
      echo "frames_expected=$expected"
      echo "cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$hz" 'BEGIN {printf "%.3f", (b - a) / hz}')"
      echo "rss_kb=$rss"
      echo "load_average=$(cut -d' ' -f1 /proc/loadavg)"
    } >"$result.window"
    if (( connected0 < n || connected1 < n || served0 < n || served1 < n )); then
      reason="members connected: $connected0 at the window's start, $connected1 at its end, of $n (server side: $served0, $served1)"
    elif awk -v d="$delivered" -v e="$expected" 'BEGIN {exit !(d < 0.95 * e)}'; then
      reason="only $delivered of $expected frames delivered in the window"
    elif (( unread > n * 2048 )); then
      reason="$unread bytes unread in the members' sockets: the generator was not reading"
    fi
  fi

  # The tool ends by itself when its members' hold is over; the wait is bounded by its timeout.
  local tool_deadline=$((SECONDS + ramp_now + hold + 120))
  while kill -0 "$tool_pid" 2>/dev/null && (( SECONDS < tool_deadline )); do sleep 1; done
  stop_tool
  stop_server
  if [[ "$tool" == tsung ]]; then stop_epmd; fi

  {
    echo "tool=$tool"
    echo "members=$n"
    [[ -f "$result.window" ]] && cat "$result.window"
    if [[ -z "$reason" ]]; then echo "status=ok"; else echo "status=FAILED"; echo "reason=$reason"; fi
    awk -F': ' '/User time/ {print "run_user_s=" $2} /System time/ {print "run_system_s=" $2}
                /Maximum resident/ {print "run_max_rss_kb=" $2} /Elapsed/ {print "run_wall=" $2}
                /Exit status/ {print "run_exit=" $2}' "$out/$label.time" 2>/dev/null
    [[ "$tool" != stoa-load ]] && [[ -f "$status" ]] && echo "fixture=$(cat "$status")"
  } >"$result"
  rm -f "$result.window"
  if [[ -n "$reason" ]]; then log "$label: FAILED: $reason (see $out/$label.log)"; else log "$label: ok"; fi
  sleep 2  # the last run's sockets close before the next one starts
}

field() { awk -F= -v k="$2" '$1 == k {sub(/^[^=]*=/, ""); print; exit}' "$1" 2>/dev/null; }

# ---- The runs (SUMMARY_ONLY=1 prints the table of the last runs again) ----
for tool in $tools; do
  [[ "$summary_only" == 1 ]] && break
  if [[ "$tool" == stoa-load && -n "$stoa_skip" ]]; then continue; fi
  case "$tool" in stoa-load | artillery | tsung) ;; *) die "unknown tool $tool" ;; esac
  if [[ "$baseline" == 1 ]]; then
    ramp_now=1
    run_one "$tool" 1 5 10 "peers-$tool-1"
  fi
  ramp_now=$ramp
  run_one "$tool" "$members" "$window" "$connect_slack" "peers-$tool-$members"
done

# ---- The table ----
summary="$out/peers-summary.txt"
{
  echo "stoa-load vs Artillery and Tsung: $members members receiving $frame_rate frames/s of $frame_bytes bytes"
  echo "generator on core $generator_cpu, fixture / stoa-server on core $fixture_cpu; ${window}s steady window; table made $(date -u +%FT%TZ)"
  echo "CPU-s/member-min = generator utime+stime in the window / N / window minutes; µs/frame = that CPU / frames delivered"
  echo "KB/member = (tree RSS at N - tree RSS with 1 member) / (N - 1); gross KB = tree RSS at N / N"
  echo "peer / stoa-load: how many times the peer's figure is stoa-load's (issue 5 wants >= 10 for the better peer)"
  echo
  row() { printf '%-10s %-10s %-16s %-9s %-10s %-9s %-7s %s\n' "$@"; }
  row tool members CPU-s/member-min µs/frame KB/member "gross KB" "RSS MB" "peer / stoa-load (CPU, KB/member, gross KB)"
  declare -A cpu_pm=() kb_pm=() gross_pm=()
  for tool in stoa-load artillery tsung; do
    r="$out/peers-$tool-$members.result"
    wants "$tool" || continue
    if [[ "$tool" == stoa-load && -n "$stoa_skip" ]]; then
      printf '%-10s %s\n' "$tool" "not run: $stoa_skip"
      continue
    fi
    [[ -f "$r" ]] || { printf '%-10s %s\n' "$tool" "no result"; continue; }
    if [[ "$(field "$r" status)" != ok ]]; then
      printf '%-10s %-10s %s\n' "$tool" "?/$members" "FAILED: $(field "$r" reason)"
      continue
    fi
    base_rss=""
    b="$out/peers-$tool-1.result"
    if [[ -f "$b" && "$(field "$b" status)" == ok ]]; then base_rss=$(field "$b" rss_kb); fi
    read -r cpm usf kbm gross rss_mb < <(awk -v cpu="$(field "$r" cpu_s)" -v s="$(field "$r" window_s)" -v n="$members" \
      -v f="$(field "$r" frames_delivered)" -v rss="$(field "$r" rss_kb)" -v base="${base_rss:-}" 'BEGIN {
        printf "%.5f %.2f %s %.1f %.1f\n", cpu / n / (s / 60), cpu * 1e6 / f,
          (base == "" ? "-" : sprintf("%.1f", (rss - base) / (n - 1))), rss / n, rss / 1024 }')
    cpu_pm[$tool]=$cpm
    kb_pm[$tool]=$kbm
    gross_pm[$tool]=$gross
    vs="-"
    if [[ "$tool" != stoa-load && -n "${cpu_pm[stoa-load]:-}" ]]; then
      vs=$(awk -v c="$cpm" -v sc="${cpu_pm[stoa-load]}" -v k="$kbm" -v sk="${kb_pm[stoa-load]}" \
        -v g="$gross" -v sg="${gross_pm[stoa-load]}" 'function ratio(a, b) {
          return (a == "-" || b == "-" || a + 0 <= 0 || b + 0 <= 0) ? "-" : sprintf("%.2fx", a / b) }
        BEGIN { printf "%s, %s, %s", ratio(c, sc), ratio(k, sk), ratio(g, sg) }')
    fi
    # Members: the fewer of the generator's own sockets and the server side's count (stoa-load's
    # sockets include its speaker's).
    connected=$(( $(field "$r" connected_end) < $(field "$r" served_end) ? $(field "$r" connected_end) : $(field "$r" served_end) ))
    row "$tool" "$connected/$members" "$cpm" "$usf" "$kbm" "$gross" "$rss_mb" "$vs"
  done
  echo
  echo "details (window and whole run; run_* from /usr/bin/time -v, start-up and ramp included):"
  for tool in stoa-load artillery tsung; do
    wants "$tool" || continue
    for r in "$out/peers-$tool-1.result" "$out/peers-$tool-$members.result"; do
      [[ -f "$r" ]] || continue
      echo "  $(basename "$r" .result): $(grep -v '^tool=' "$r" | tr '\n' ' ')"
    done
  done
} | tee "$summary"
