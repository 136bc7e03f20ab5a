#!/usr/bin/env bash
# Whole-process time of `cudafit doctor` on this machine and on the largest fixture machine,
# against the seed's verification script (/work/shared/seed/verify.py) and
# `python3 -m torch.utils.collect_env` (Debian's python3-torch, /usr/bin/python3), in one run:
# times, ratios, and how many findings each gives (goal: doctor under 5 ms, over 100 times
# faster than either, with more findings). Usage: bench/doctor.sh [path/to/cudafit]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$here/build/cudafit}"
[[ -x "$bin" ]] || { echo "bench/doctor.sh: no cudafit binary at $bin (build it first)" >&2; exit 2; }
py=/usr/bin/python3
seed="${CUDAFIT_SEED_VERIFY:-$here/../shared/seed/verify.py}"

now_ns() { date +%s%N; }
# Best of $1 runs of the command that follows, in microseconds (the least disturbed run on
# shared CPUs).
best_us() {
  local runs=$1 best=0 t0 t
  shift
  for ((i = 0; i < runs; i++)); do
    t0=$(now_ns)
    "$@" >/dev/null 2>&1
    t=$(( ($(now_ns) - t0) / 1000 ))
    if (( best == 0 || t < best )); then best=$t; fi
  done
  echo "$best"
}
ms() { awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }'; }
# With hyperfine: "mean median min" of $1 runs in microseconds, timed without a shell around
# the command (the date-loop above also counts a fork of date and of bash).
hf_us() {
  local runs=$1 out
  shift
  out=$(mktemp)
  hyperfine -N --warmup 5 --runs "$runs" --export-json "$out" -- "$(printf '%q ' "$@")" \
    >/dev/null 2>&1 || { rm -f "$out"; echo ""; return; }
  "$py" -c 'import json,sys,statistics as s; t=json.load(open(sys.argv[1]))["results"][0]["times"]; print("%d %d %d" % (s.mean(t)*1e6, s.median(t)*1e6, min(t)*1e6))' "$out"
  rm -f "$out"
}
# Sets timing_text ("mean X ms, median Y ms, best Z ms over N runs", with hyperfine; else the
# best of the date loop) and last_us (the median, or that best).
timing() {
  local runs=$1 stats
  shift
  if command -v hyperfine >/dev/null 2>&1 && stats=$(hf_us "$runs" "$@") && [[ -n "$stats" ]]; then
    read -r mean median best <<<"$stats"
    timing_text="mean $(ms "$mean"), median $(ms "$median"), best $(ms "$best") over $runs runs (hyperfine -N)"
    last_us=$median
  else
    last_us=$(best_us "$runs" "$@")
    timing_text="best of $runs: $(ms "$last_us") (date loop)"
  fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0fx", a / b; else print "n/a" }'; }

largest="" most=0
for dir in "$here"/tests/machines/*/; do
  [[ -d "$dir/root" ]] || continue
  n=$(find "$dir/root" | wc -l)
  if (( n > most )); then most=$n; largest=${dir%/}; fi
done

count_findings() { "$@" --json 2>/dev/null | "$py" -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))' 2>/dev/null || echo "?"; }

echo "== process start alone: /bin/true (this VM's floor for any command)"
timing 200 true
echo "  $timing_text"
echo "== cudafit doctor, this machine (/)"
timing 200 "$bin" doctor --no-driver-libs
here_us=$last_us
echo "  $timing_text; findings: $(count_findings "$bin" doctor --no-driver-libs)"
if [[ -n "$largest" ]]; then
  echo "== cudafit doctor, fixture $(basename "$largest") ($most files)"
  timing 200 "$bin" --root "$largest/root" --env-file "$largest/env.txt" doctor --no-driver-libs
  echo "  $timing_text; findings: $(count_findings "$bin" --root "$largest/root" --env-file "$largest/env.txt" doctor --no-driver-libs)"
fi

seed_us=0 ce_us=0
if [[ -f "$seed" ]]; then
  echo "== seed verification script: $py $seed"
  seed_us=$(best_us 3 "$py" "$seed")
  echo "  best of 3: $(ms "$seed_us")  (reports facts; findings: 0 — it names no problem ids)"
else
  echo "== seed verification script: not found at $seed"
fi
if "$py" -c 'import torch' >/dev/null 2>&1; then
  echo "== $py -m torch.utils.collect_env"
  ce_us=$(best_us 3 "$py" -m torch.utils.collect_env)
  echo "  best of 3: $(ms "$ce_us")  (reports facts; findings: 0)"
else
  echo "== collect_env: $py has no torch (apt install python3-torch)"
fi

echo "== ratios (this machine; cudafit's median against the others' best)"
echo "  seed script / doctor:  $(ratio "$seed_us" "$here_us")"
echo "  collect_env / doctor:  $(ratio "$ce_us" "$here_us")"
