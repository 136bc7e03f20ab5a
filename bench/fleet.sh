#!/usr/bin/env bash
# `cudafit fleet` on N generated doctor reports (default 10,000; bench/fleet_reports.py: real
# fixture reports varied in driver, GPUs, torch and findings): wall time and peak memory for N
# files in a folder and for the same reports as JSON lines on stdin, and the peak memory for N/10
# (memory should grow with distinct values, not with bytes). Goal: 10,000 reports under 1 s.
# Usage: bench/fleet.sh [path/to/cudafit] [N]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$here/build/cudafit}"
n="${2:-10000}"
[[ -x "$bin" ]] || { echo "bench/fleet.sh: no cudafit binary at $bin (build it first)" >&2; exit 2; }
work=$(mktemp -d /tmp/cudafit-fleet-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 "$here/bench/fleet_reports.py" "$bin" "$work" "$n"
python3 "$here/bench/fleet_reports.py" "$bin" "$work/small" "$((n / 10))" >/dev/null
cat "$work"/reports/*.json >/dev/null  # in the page cache, as on a second run
run() {  # label, then the command; prints wall and CPU seconds and peak RSS, best of 3
  local label=$1 best="" secs cpu kb
  shift
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null
    read -r secs user sys kb <"$work/time"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u + s}')
    if [[ -z "$best" ]] || awk -v a="$secs" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then
      best="$secs $cpu $kb"
    fi
  done
  read -r secs cpu kb <<<"$best"
  printf '%-44s %6.2f s wall  %5.2f s CPU  %7.1f MB peak\n' "$label" "$secs" "$cpu" \
    "$(awk -v k="$kb" 'BEGIN{print k/1024}')"
}
run "fleet: $n files in a folder" "$bin" fleet "$work/reports"
run "fleet --format html: $n files" "$bin" fleet --format html "$work/reports"
run "fleet: $n reports as JSON lines on stdin" sh -c "'$bin' fleet < '$work/all.jsonl'"
run "fleet: $((n / 10)) files (memory scale)" "$bin" fleet "$work/small/reports"
echo "goal: $n reports merge in under 1 s on this machine ($(nproc) cores; load now:$(cut -d' ' -f1-3 /proc/loadavg))"
echo "(wall time counts waiting for a CPU: on a busy machine CPU time is the figure to read)"
