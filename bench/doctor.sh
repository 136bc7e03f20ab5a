#!/usr/bin/env bash
# Whole-process time of `cudafit doctor` on a tree as large as the real H200 server
# (bench/make_tree.py: the tests/machines/h200-container capture grown back to the real
# machine's 423 site-packages entries, 197 dist-info, 522 ld.so.cache entries and 718 files in
# /usr/lib/x86_64-linux-gnu, plus a tenth; BENCH_SCALE=2 doubles it), goal: median under 5 ms;
# with /bin/true and `cudafit --version` as this VM's floor, the instruction count (callgrind,
# stable where wall clock is not), and this machine's own doctor. Then, in the same run, the
# seed's verification script (/work/shared/seed/verify.py) and `python3 -m
# torch.utils.collect_env` (Debian's python3-torch): times, ratios and findings.
# Usage: bench/doctor.sh [path/to/cudafit]   (BENCH_TREE=DIR keeps the tree there;
# CUDAFIT_SEED_VERIFY=FILE names the seed script, CUDAFIT_BENCH_PYTHON the Python with torch)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$here/build/cudafit}"
[[ -x "$bin" ]] || { echo "bench/doctor.sh: no cudafit binary at $bin (build it first)" >&2; exit 2; }
py="${CUDAFIT_BENCH_PYTHON:-/usr/bin/python3}"  # the Python with torch, for collect_env
seed="${CUDAFIT_SEED_VERIFY:-$here/../shared/seed/verify.py}"
[[ -f "$seed" || -n "${CUDAFIT_SEED_VERIFY:-}" ]] || seed="$here/../../shared/seed/verify.py"  # a worktree

# Without hyperfine: "mean median best" of $1 runs in microseconds from bench/spawn_times.py
# (posix_spawn, no shell around the command); `bash scripts/deps.sh --bench` installs hyperfine.
spawn_us() { "$py" "$here/bench/spawn_times.py" "$1" -- "${@:2}"; }
# Best of $1 runs of the command that follows, in microseconds (the least disturbed run on
# shared CPUs); one warm-up run, for the slow Python commands.
best_us() {
  local stats
  stats=$("$py" "$here/bench/spawn_times.py" "$1" --warmup 1 -- "${@:2}") || { echo 0; return; }
  echo "${stats##* }"
}
ms() { awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }'; }
# With hyperfine: "mean median min" of $1 runs in microseconds, timed without a shell around
# the command.
hf_us() {
  local runs=$1 out
  shift
  out=$(mktemp)
  hyperfine -N -i --warmup 5 --runs "$runs" --export-json "$out" -- "$(printf '%q ' "$@")" \
    >/dev/null 2>&1 || { rm -f "$out"; echo ""; return; }
  "$py" -c 'import json,sys,statistics as s; t=json.load(open(sys.argv[1]))["results"][0]["times"]; print("%d %d %d" % (s.mean(t)*1e6, s.median(t)*1e6, min(t)*1e6))' "$out"
  rm -f "$out"
}
# Sets timing_text ("mean X ms, median Y ms, best Z ms over N runs", from hyperfine or else
# spawn_times.py) and last_us (the median).
timing() {
  local runs=$1 stats
  shift
  if command -v hyperfine >/dev/null 2>&1 && stats=$(hf_us "$runs" "$@") && [[ -n "$stats" ]]; then
    read -r mean median best <<<"$stats"
    timing_text="mean $(ms "$mean"), median $(ms "$median"), best $(ms "$best") over $runs runs (hyperfine -N)"
    last_us=$median
  else
    stats=$(spawn_us "$runs" "$@") || stats="0 0 0"
    read -r mean median best <<<"$stats"
    timing_text="mean $(ms "$mean"), median $(ms "$median"), best $(ms "$best") over $runs runs (bench/spawn_times.py; no hyperfine)"
    last_us=$median
  fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0fx", a / b; else print "n/a" }'; }

tree="${BENCH_TREE:-$(mktemp -d)}"
[[ -n "${BENCH_TREE:-}" ]] || trap 'rm -rf "$tree"' EXIT
python3 "$here/bench/make_tree.py" "$tree" --scale "${BENCH_SCALE:-1}" | sed 's/^/  /' || exit 2
on_tree=("$bin" --root "$tree/root" --env-file "$tree/env.txt" doctor --no-driver-libs)

count_findings() { "$@" --json 2>/dev/null | "$py" -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))' 2>/dev/null || echo "?"; }

echo "== process start alone: /bin/true (this VM's floor for any command)"
timing 300 true
echo "  $timing_text"
echo "== cudafit --version (cudafit's own start)"
timing 300 "$bin" --version
echo "  $timing_text"
kcache="$tree/root/root/.cache/cudafit/kernels-v1.tsv"  # doctor's kernel cache ($HOME=/root)
echo "== cudafit doctor on the bench tree, kernel cache warm (every run after the first; goal: median under 5 ms)"
timing 300 "${on_tree[@]}"
tree_us=$last_us
echo "  $timing_text; findings: $(count_findings "${on_tree[@]}")"
if command -v valgrind >/dev/null 2>&1; then
  cg=$(mktemp)
  ir=$(valgrind --tool=callgrind --callgrind-out-file="$cg" "${on_tree[@]}" 2>&1 >/dev/null |
       sed -n 's/.*Collected : //p')
  # The share of the third-party kernel scan (its cache included), and of the rest.
  scan=$(callgrind_annotate --inclusive=yes "$cg" 2>/dev/null |
         awk '/cudafit::scan_package_kernels\(|cudafit::KernelCache::load\(/ {gsub(",", "", $1); s += $1} END {print s + 0}')
  ir_v=$(valgrind --tool=callgrind --callgrind-out-file="$cg" "$bin" --version 2>&1 >/dev/null |
         sed -n 's/.*Collected : //p')
  rm -f "$cg"
  echo "  instructions (callgrind): doctor ${ir:-?} (of which the third-party kernel scan and its" \
       "cache: ${scan:-?}), --version ${ir_v:-?}"
fi
awk -v u="$tree_us" 'BEGIN { if (u > 0) printf "  goal: %s\n", (u < 5000 ? "met" : "NOT met (median over 5 ms)") }'
echo "== the same, kernel cache cold (deleted before each run: the first doctor after an install)"
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --runs 100 --prepare "rm -f $kcache" --export-json "$tree/cold.json" \
    -- "$(printf '%q ' "${on_tree[@]}")" >/dev/null 2>&1 &&
    "$py" -c 'import json,sys,statistics as s; t=json.load(open(sys.argv[1]))["results"][0]["times"]; print("  median %.2f ms, best %.2f ms over %d runs (hyperfine -N)" % (s.median(t)*1e3, min(t)*1e3, len(t)))' "$tree/cold.json"
elif stats=$("$py" "$here/bench/spawn_times.py" 100 --remove "$kcache" -- "${on_tree[@]}"); then
  read -r mean median best <<<"$stats"
  echo "  median $(ms "$median"), best $(ms "$best") over 100 runs (bench/spawn_times.py; no hyperfine)"
fi
echo "== cudafit doctor, this machine (/)"
timing 200 "$bin" doctor --no-driver-libs
here_us=$last_us
echo "  $timing_text; findings: $(count_findings "$bin" doctor --no-driver-libs)"

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
