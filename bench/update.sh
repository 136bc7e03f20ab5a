#!/usr/bin/env bash
# What `cudafit update` transfers, against the recorded answers of tests/update/ (served by
# tests/update/server.py on 127.0.0.1, which logs every byte it sends):
#   1. the data cut at torch 2.11 brought up to 2.15: bytes per new torch release and platform
#      (goal: under 1 MB each, against 500-900 MB for the wheel itself), and per page;
#   2. the same update again, nothing new (goal: under 50 KB);
# and the time of commands with an overlay in use against the same commands without it
# (--no-overlay) (goal: under 5 ms, best of RUNS).
#   CUDAFIT  the binary (default: build/cudafit)
#   RUNS     timed runs (default: 30)
set -euo pipefail
cd "$(dirname "$0")/.."
cudafit="$(realpath "${CUDAFIT:-build/cudafit}")"
runs="${RUNS:-30}"
[ -x "$cudafit" ] || { echo "no $cudafit (build it, or set CUDAFIT)" >&2; exit 2; }

work=$(mktemp -d)
touch "$work/log.jsonl"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
python3 tests/update/server.py --port-file "$work/port" --log "$work/log.jsonl" > /dev/null 2>&1 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$work/port")"

run_update() {  # HOME DATA: one update, quiet
  env -i PATH="$PATH" HOME="$1" "$cudafit" --data "$2" update > "$1.out" 2>&1 || {
    cat "$1.out" >&2; exit 1; }
}
log_from() { tail -n +"$(( $1 + 1 ))" "$work/log.jsonl"; }
lines() { wc -l < "$work/log.jsonl"; }

python3 tests/update/cut_data.py data "$work/cut" --torch 2.11.0 --sources "$url/s/-" > /dev/null
mkdir -p "$work/h1"
mark=$(lines)
run_update "$work/h1" "$work/cut"
log_from "$mark" > "$work/first.jsonl"
mark=$(lines)
run_update "$work/h1" "$work/cut"
log_from "$mark" > "$work/second.jsonl"

python3 - "$work/first.jsonl" "$work/second.jsonl" <<'EOF'
import json, re, sys
from collections import defaultdict
first = [json.loads(l) for l in open(sys.argv[1])]
second = [json.loads(l) for l in open(sys.argv[2])]
per = defaultdict(lambda: [0, 0])
pages = defaultdict(int)
for e in first:
    m = re.match(r"^/files/torch-(\d[^-]*)-[^-]+-[^-]+-(.+?)\.whl(\.metadata)?$", e["path"])
    if m:
        plat = "windows-x86_64" if "win" in m.group(2) else \
               "linux-aarch64" if "aarch64" in m.group(2) else "linux-x86_64"
        per[(m.group(1), plat)][0] += e["bytes"]
        per[(m.group(1), plat)][1] += 1
    elif e["path"].startswith("/files/"):
        pages["other wheels' METADATA (companions, frameworks)"] += e["bytes"]
    else:
        kind = "PyPI pages" if e["path"].startswith("/simple/") else \
               "PyTorch index pages" if e["path"].startswith("/whl/") else "release notes"
        pages[kind] += e["bytes"]
print("cudafit update: a data set cut at torch 2.11 brought up to 2.15 (recorded answers)")
print("  torch release and platform: bytes of its wheel read (METADATA by ranges), requests"
      "  (goal < 1 MB; the wheel itself is 500-900 MB)")
worst = 0
for (v, p), (b, n) in sorted(per.items()):
    worst = max(worst, b)
    print(f"    {v:8} {p:15} {b / 1024:7.1f} KB in {n} requests")
for k, b in sorted(pages.items()):
    print(f"  {k}: {b / 1024:.1f} KB")
total = sum(e["bytes"] for e in first)
print(f"  total: {total / 1024:.1f} KB in {len(first)} requests; "
      f"largest per release and platform: {worst / 1024:.1f} KB (goal < 1024 KB)")
again = sum(e["bytes"] for e in second)
n304 = sum(1 for e in second if e["status"] == 304)
print(f"cudafit update again, nothing new: {again / 1024:.1f} KB in {len(second)} requests "
      f"({n304} not modified) (goal < 50 KB)")
EOF

# Commands with the overlay of a synthetic torch 2.16.0 in use (on the built-in data).
python3 tests/update/cut_data.py data "$work/full" --sources "$url/s/plus216" > /dev/null
mkdir -p "$work/h2"
run_update "$work/h2" "$work/full"
rows=$(grep -o 'wrote [0-9]* row' "$work/h2.out" | grep -o '[0-9]*')
echo "commands with a ${rows}-row overlay in use, against --no-overlay (best and median of $runs runs; goal < 5 ms):"
now_ns() { date +%s%N; }
stats() {  # prints "best median" in ms of "$@"
  local times=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(now_ns); env -i HOME="$work/h2" "$@" > /dev/null 2>&1 || true; t1=$(now_ns)
    times+=($(( (t1 - t0) / 100000 )))
  done
  local sorted best median
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  best=$(echo "$sorted" | head -n 1)
  median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%d.%d %d.%d' $((best / 10)) $((best % 10)) $((median / 10)) $((median % 10))
}
for args in "--version" "install torch --driver 600.10 --gpu sm_90 --python 3.12" \
            "matrix torch --torch 2.15" "doctor --root tests/machines/doctor-server-healthy/root"; do
  # shellcheck disable=SC2086
  read -r b m <<< "$(stats "$cudafit" $args)"
  # shellcheck disable=SC2086
  read -r nb nm <<< "$(stats "$cudafit" --no-overlay $args)"
  printf '  %-62s overlay: best %s ms, median %s ms; --no-overlay: best %s, median %s\n' \
    "cudafit $args" "$b" "$m" "$nb" "$nm"
done
