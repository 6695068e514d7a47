#!/usr/bin/env bash
# The README's main command: installs what is needed, builds the native preset and runs the
# demo. Until the relay server exists this is the core's self-check: an in-process room where
# real client sessions join, receive keys, speak and hear each other through the sans-I/O relay.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/setup.sh
cmake --preset native > /dev/null
cmake --build --preset native -j "$(nproc)" --target stoa-demo
exec ./build/native/core/loopback/stoa-demo "$@"
