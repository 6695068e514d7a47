#!/usr/bin/env bash
# Builds the native preset and runs every core benchmark in one session, so the figures in
# docs/performance.md come from one machine state. JSON results go to build/bench/.
# Usage: bash tests/bench/run-core-benchmarks.sh [extra Google Benchmark flags]
set -euo pipefail
cd "$(dirname "$0")/../.."

cmake --preset native > /dev/null
cmake --build --preset native -j "$(nproc)" --target \
  stoa_bench_e2ee stoa_bench_audio stoa_bench_room stoa_bench_proto stoa_bench_loopback
mkdir -p build/bench
for module in e2ee audio room proto loopback; do
  echo "::: stoa_bench_$module"
  # Pinned to one core so the figures are single-core costs; repetitions give a median.
  taskset -c 1 "build/native/tests/bench/$module/stoa_bench_$module" \
    --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_out="build/bench/$module.json" --benchmark_out_format=json "$@"
done
