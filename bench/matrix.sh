#!/usr/bin/env bash
# Issue 4 benchmark: in-process load of the embedded knowledge base + one query (goal < 1 ms,
# Google Benchmark binary bench_kb) and the whole-process time of
# `cudafit matrix torch --torch 2.3` (goal < 5 ms).
# Usage: bench/matrix.sh [BUILD_DIR]   (default: build; configure with -DCMAKE_BUILD_TYPE=Release)
set -euo pipefail
build="${1:-build}"
bin="$build/cudafit"
[ -x "$bin" ] || { echo "matrix.sh: $bin not found (build it first)" >&2; exit 2; }

if [ -x "$build/bench/bench_kb" ]; then
  echo "== in-process (bench_kb)"
  "$build/bench/bench_kb" --benchmark_min_time=0.2 2>/dev/null | grep -E '^(BM_|Benchmark|-)'
else
  echo "== in-process: $build/bench/bench_kb not built (needs Google Benchmark: libbenchmark-dev)"
fi

echo "== whole process: $bin matrix torch --torch 2.3"
"$bin" matrix torch --torch 2.3 >/dev/null
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 5 --runs 100 -N "$bin matrix torch --torch 2.3"
else
  # bench/spawn_times.py: "mean median best" in microseconds, each run spawned without a shell.
  read -r mean median best < <(python3 "$(dirname "$0")/spawn_times.py" 200 -- "$bin" matrix torch --torch 2.3) || true
  awk -v m="$mean" -v d="$median" -v b="$best" \
    'BEGIN { printf "runs: 200  mean: %.2f ms  median: %.2f ms  best: %.2f ms  (bench/spawn_times.py; no hyperfine)\n", m/1e3, d/1e3, b/1e3 }'
fi
