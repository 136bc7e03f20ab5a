#!/usr/bin/env bash
# Whole-process time of `cudafit install torch --driver 535.104.05 --gpu sm_86 --python 3.11`
# (the facts a flag leaves out, OS and CPU architecture, read from this machine) and of a bare
# `cudafit install torch` (the whole machine read, and the Python of the environment it would
# install into); goal: under 5 ms each, best and median of RUNS runs, against `true` measured
# the same way.
#   CUDAFIT  the binary (default: build/cudafit)
#   RUNS     timed runs (default: 50)
set -euo pipefail
cd "$(dirname "$0")/.."
cudafit="${CUDAFIT:-build/cudafit}"
runs="${RUNS:-50}"
[ -x "$cudafit" ] || { echo "no $cudafit (build it, or set CUDAFIT)" >&2; exit 2; }

args=(install torch --driver 535.104.05 --gpu sm_86 --python 3.11)
"$cudafit" "${args[@]}" > /dev/null  # must succeed (and warms the page cache)

now_ns() { date +%s%N; }
stats() {  # prints "best median" in ms (1 decimal) of "$@" over $runs runs
  local times=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(now_ns); "$@" > /dev/null 2>&1 || true; t1=$(now_ns)
    times+=($(( (t1 - t0) / 100000 )))
  done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  local best median
  best=$(echo "$sorted" | head -n 1)
  median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%d.%d %d.%d' $((best / 10)) $((best % 10)) $((median / 10)) $((median % 10))
}

bare=(install torch)
"$cudafit" "${bare[@]}" > /dev/null || true  # may find nothing that fits this machine: timed anyway

read -r best median <<< "$(stats "$cudafit" "${args[@]}")"
read -r bbest bmedian <<< "$(stats "$cudafit" "${bare[@]}")"
read -r tbest tmedian <<< "$(stats /bin/true)"
echo "cudafit ${args[*]}"
echo "  whole process: best ${best} ms, median ${median} ms over ${runs} runs (goal < 5 ms)"
echo "cudafit ${bare[*]}   (machine and target environment detected)"
echo "  whole process: best ${bbest} ms, median ${bmedian} ms over ${runs} runs (goal < 5 ms)"
echo "  /bin/true measured the same way: best ${tbest} ms, median ${tmedian} ms"
