#!/usr/bin/env bash
# What reading third-party GPU code costs the default `cudafit doctor` (issue #15): a fixture
# machine (doctor-lab-ext-sm80: RTX 5090, torch, a lab extension built for sm_80) grown to a
# large venv of N packages, each with a dist-info RECORD listing M real ELF shared libraries
# (hard links of one system library, no GPU code), timed whole-process:
#   no cache   ~/.cache absent: every library's ELF header and section table read each run
#   cold       the cache file removed before each run (read, then written)
#   warm       the cache file of the previous run (the normal case)
# and, with build/bench/bench_kernel_cache, the scan alone on root "/". Goal: the warm scan a
# small part of doctor's 5 ms; the answer (error arch-unsupported for lab-ext) the same in all
# three. Usage: bench/kernels_doctor.sh [cudafit] [N] [M]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$here/build/cudafit}"
n="${2:-197}"
m="${3:-5}"
[ -x "$bin" ] || { echo "no cudafit binary at $bin (build it first)" >&2; exit 2; }
src="$here/tests/machines/doctor-lab-ext-sm80"
elf=$(ls /usr/lib/x86_64-linux-gnu/libz.so.1.* 2>/dev/null | head -1)
[ -n "$elf" ] || elf=$(readlink -f /bin/true)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$src/root" "$tmp/root"
sp="$tmp/root/home/user/venv/lib/python3.11/site-packages"
cp "$elf" "$tmp/one.so"
for ((i = 0; i < n; i++)); do
  pkg="pkg$i"
  di="$sp/$pkg-1.0.dist-info"
  mkdir -p "$di" "$sp/$pkg"
  printf 'Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n' "$pkg" > "$di/METADATA"
  {
    for ((j = 0; j < m; j++)); do
      ln "$tmp/one.so" "$sp/$pkg/_m$j.cpython-311-x86_64-linux-gnu.so"
      echo "$pkg/_m$j.cpython-311-x86_64-linux-gnu.so,sha256=x,1"
      printf '' > "$sp/$pkg/m$j.py"
      echo "$pkg/m$j.py,sha256=x,0"
    done
    echo "$pkg-1.0.dist-info/METADATA,,"
    echo "$pkg-1.0.dist-info/RECORD,,"
  } > "$di/RECORD"
done
env_file="$src/env.txt"
cache="$tmp/root/home/user/.cache/cudafit/kernels-v1.tsv"
run() { "$bin" --root "$tmp/root" --env-file "$env_file" doctor --no-driver-libs; }

now_ns() { date +%s%N; }
median_ms() {  # median and best of $1 runs of the command after it (run before each: $PRE)
  local runs=$1 ts=()
  shift
  for ((i = 0; i < runs; i++)); do
    eval "${PRE:-true}"
    local t0; t0=$(now_ns); "$@" > /dev/null 2>&1 || true
    ts+=($(( ($(now_ns) - t0) / 1000 )))
  done
  printf '%s\n' "${ts[@]}" | sort -n |
    awk '{a[NR]=$1} END {printf "median %.2f ms, best %.2f ms", a[int((NR+1)/2)]/1000, a[1]/1000}'
}
answer() { run 2>/dev/null | grep -o '\[arch-[a-z-]*\] lab-ext' | sort -u | tr '\n' ' '; }

echo "tree: $n packages x $m libraries ($((n * m)) .so files, $(basename "$elf")) + lab-ext + torch"
rm -rf "$tmp/root/home/user/.cache"
echo "no cache:   $(PRE= median_ms 21 run)   answer: $(answer)"
mkdir -p "$tmp/root/home/user/.cache"
echo "cold cache: $(PRE="rm -f '$cache'" median_ms 21 run)   answer: $(rm -f "$cache"; answer)"
run > /dev/null 2>&1 || true
echo "warm cache: $(PRE= median_ms 51 run)   answer: $(answer)   ($(wc -l < "$cache") cache lines)"
bb="$(dirname "$bin")/bench/bench_kernel_cache"
if [ -x "$bb" ]; then
  echo "the scan alone on root / (no fixture-root link resolution; CPU is the steadier figure):"
  KERNEL_BENCH_VENV="$tmp/root/home/user/venv" "$bb" 2>/dev/null | grep -E '^BM_' | sed 's/^/  /'
fi
rm -rf "$sp"/pkg*
echo "without the $n packages (warm): $(PRE= median_ms 51 run)"
