#!/usr/bin/env bash
# Speed of `cudafit kernels` on the real CUDA libraries of this machine, against
# `cat FILE > /dev/null` measured in the same run (both warm: each file is read once first).
#   CUDAFIT    the binary (default: build/cudafit)
#   CUDA_HOME  where the libraries are (default: /usr/local/cuda)
#   RUNS       timed runs per file; the best is printed (default: 5)
set -euo pipefail
cd "$(dirname "$0")/.."
cudafit="${CUDAFIT:-build/cudafit}"
cuda="${CUDA_HOME:-/usr/local/cuda}"
runs="${RUNS:-5}"
[ -x "$cudafit" ] || { echo "no $cudafit (build it, or set CUDAFIT)" >&2; exit 2; }

now_ns() { date +%s%N; }
best_ms() {  # best wall time of "$@" over $runs runs, in ms with 1 decimal
  local best=""
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(now_ns); "$@" >/dev/null 2>&1 || true; t1=$(now_ns)
    local d=$(( (t1 - t0) / 100000 ))
    if [ -z "$best" ] || [ "$d" -lt "$best" ]; then best=$d; fi
  done
  printf '%d.%d' $((best / 10)) $((best % 10))
}
cat_file() { cat "$1" > /dev/null; }

libs=()
for name in libcublasLt.so.13 libcufft.so.12 libcusparse.so.12 libcurand.so.10 libnccl.so.2 \
            libcudnn_engines_precompiled.so.9; do
  for dir in "$cuda/lib64" "$cuda/lib" "$cuda/targets/x86_64-linux/lib"; do
    if [ -f "$dir/$name" ]; then libs+=("$(readlink -f "$dir/$name")"); break; fi
  done
done
[ "${#libs[@]}" -gt 0 ] || { echo "no CUDA libraries under $cuda" >&2; exit 2; }

printf '%-34s %8s %10s %11s %10s %9s %s\n' file MB "kernels ms" "MB/s" "cat ms" "cat MB/s" containers
for f in "${libs[@]}"; do
  cat "$f" > /dev/null  # warm the page cache
  "$cudafit" kernels --json "$f" > /dev/null 2>&1 || true
  size=$(stat -c %s "$f")
  mb=$(( size / 1048576 ))
  k=$(best_ms "$cudafit" kernels --json "$f")
  c=$(best_ms cat_file "$f")
  containers=$("$cudafit" kernels --json "$f" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["files"][0]["containers"])' 2>/dev/null || echo "?")
  kmbs=$(python3 -c "print(round($size/1048576/max($k,0.1)*1000))")
  cmbs=$(python3 -c "print(round($size/1048576/max($c,0.1)*1000))")
  printf '%-34s %8d %10s %11s %10s %9s %s\n' "$(basename "$f")" "$mb" "$k" "$kmbs" "$c" "$cmbs" "$containers"
done

small=tests/binary/fixtures/multi.so
echo
echo "whole process, small file ($small): $(best_ms "$cudafit" kernels "$small") ms;" \
     "with --gpu sm_86 --json: $(best_ms "$cudafit" kernels --gpu sm_86 --json "$small") ms"
