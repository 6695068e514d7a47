#!/usr/bin/env bash
# The README's main command: installs what is needed, builds the native preset and the browser
# client (the wasm preset), checks the core (stoa-demo), then starts the relay with the web client
# on http://127.0.0.1:8080 and a demo room in which a bot speaker (a real client over the real
# protocol) is talking. Ctrl-C stops it.
# Options: --port N (default 8080), --check (start everything, verify, stop; for CI and smoke tests).
set -euo pipefail
cd "$(dirname "$0")/.."

port=8080
check=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --check) check=1; shift ;;
    *) echo "usage: bash ci/demo.sh [--port N] [--check]" >&2; exit 2 ;;
  esac
done

bash ci/setup.sh
cmake --preset native > /dev/null
cmake --build --preset native -j "$(nproc)" --target stoa-demo stoa-server stoa-bot stoa-load stoa_demo_speech

# The browser client: the core in WebAssembly with the web page, staged in build/wasm/web.
bash ci/build-wasm-deps.sh
export NODE_PATH=/usr/share/nodejs  # Debian's Emscripten needs it to find its JS optimizer's modules
cmake --preset wasm > /dev/null
cmake --build --preset wasm -j "$(nproc)" --target stoa_web_client

./build/native/core/loopback/stoa-demo

run_dir=$(mktemp -d)
cleanup() {
  [ -n "${bot_pid:-}" ] && kill "$bot_pid" 2>/dev/null || true
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$run_dir"
}
trap cleanup EXIT INT TERM

# Browsers sign the origin they opened into their login, so the relay is told its own. It listens
# on loopback only, where every client (browsers, the bot, a local stoa-load run) shares one
# address: loadgen/relay-for-load.json lifts the per-address join limits so that the shipped
# scenarios (loadgen/scenarios/*.toml) run against this relay as written.
origin="http://127.0.0.1:$port"
./build/native/server/stoa-server --listen 127.0.0.1 --port "$port" --origin "$origin" --web-root build/wasm/web \
  --config loadgen/relay-for-load.json \
  > "$run_dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$run_dir/server.log"; exit 1; }
  sleep 0.1  # polling the health endpoint: the server gives no other readiness signal
done

./build/native/server/bot/stoa-bot --port "$port" --context "$origin" --invite-raised-hands --pcm build/native/server/bot/demo-speech.pcm \
  --title "Stoa demo room" --room-file "$run_dir/room" > "$run_dir/bot.log" 2>&1 &
bot_pid=$!
for _ in $(seq 1 100); do
  [ -s "$run_dir/room" ] && break
  kill -0 "$bot_pid" 2>/dev/null || { cat "$run_dir/bot.log"; exit 1; }
  sleep 0.1  # polling for the bot's room file
done
room=$(cat "$run_dir/room")

echo
echo "stoa: the relay is serving the web client at   http://127.0.0.1:$port/"
echo "stoa: the demo room (a bot is speaking) is at    http://127.0.0.1:$port/#room=$room"
echo "stoa: metrics at http://127.0.0.1:$port/metrics; press Ctrl-C to stop"
echo "stoa: load it with, e.g., ./build/native/loadgen/app/stoa-load --scenario loadgen/scenarios/steady-room.toml"

if [ "$check" -eq 1 ]; then
  sleep 3  # let the bot talk for a few seconds of real time
  frames=$(curl -fsS "http://127.0.0.1:$port/metrics" | awk '/^stoa_media_frames_in_total/ {print $2}')
  echo "stoa: the bot sent ${frames:-0} encrypted frames to the relay"
  curl -fsS -o /dev/null "http://127.0.0.1:$port/stoa-core.wasm" \
    || { echo "stoa: the relay does not serve the WebAssembly client" >&2; exit 1; }
  [ "${frames:-0}" -gt 50 ] || { echo "stoa: the demo room is silent" >&2; exit 1; }
  exit 0
fi
wait "$server_pid"
