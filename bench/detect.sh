#!/usr/bin/env bash
# Whole-process time of `cudafit detect --json --no-driver-libs` on this machine and on the
# largest fixture machine (goal: under 5 ms), and the files it opens (each should be opened
# once). Usage: bench/detect.sh [path/to/cudafit]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$here/build/cudafit}"
[[ -x "$bin" ]] || { echo "bench/detect.sh: no cudafit binary at $bin (build it first)" >&2; exit 2; }

# The largest fixture machine: the one with the most files.
largest="" most=0
for dir in "$here"/tests/machines/*/; do
  [[ -d "$dir/root" ]] || continue
  n=$(find "$dir/root" | wc -l)
  if (( n > most )); then most=$n; largest=${dir%/}; fi
done

declare -a names=("this machine (/)") cmds=("$bin detect --json --no-driver-libs")
if [[ -n "$largest" ]]; then
  names+=("fixture $(basename "$largest") ($most files)")
  cmds+=("$bin --root $largest/root --env-file $largest/env.txt detect --json --no-driver-libs")
fi

for i in "${!cmds[@]}"; do
  echo "== ${names[$i]}: ${cmds[$i]}"
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 10 --runs 300 --style basic "${cmds[$i]}" 2>/dev/null | grep -E "Time|Range"
  else
    # bench/spawn_times.py: "mean median best" in microseconds, each run spawned without a shell.
    read -r mean median best < <(python3 "$here/bench/spawn_times.py" 300 -- ${cmds[$i]}) || true
    echo "  mean ${mean} us, median ${median} us, best ${best} us over 300 runs (bench/spawn_times.py; no hyperfine)"
  fi
  # Files and folders read through the Host (a hidden flag), and what the kernel saw.
  ${cmds[$i]} --count-reads 2>&1 >/dev/null | sed 's/^/  /'
  if command -v strace >/dev/null; then
    log=$(mktemp)
    strace -f -e trace=openat,open -o "$log" ${cmds[$i]} >/dev/null 2>&1 || true
    total=$(grep -c 'open' "$log" || true)
    # The dynamic loader's opens (ld.so.cache, libc.so.6, libz) come before main; cudafit's own
    # reads start with its first file, which it opens O_NONBLOCK (a FIFO must not block).
    own=$(awk '/O_NONBLOCK/ { on = 1 } on && /open/' "$log")
    machine=$(grep -c 'open' <<<"$own" || true)
    dup=$(grep -o 'openat([^"]*"[^"]*"' <<<"$own" | sed 's/.*"\(.*\)"/\1/' | sort | uniq -d | wc -l)
    echo "  openat calls: $total in all ($machine by cudafit, after the loader's), paths cudafit opened twice: $dup"
    rm -f "$log"
  fi
done
