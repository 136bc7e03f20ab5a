#!/usr/bin/env bash
# Whole-process time of `cudafit check` on a requirements file that names an extra index, a
# companion and a framework (pip's and uv's resolutions, the trap, the packages beside torch),
# and on a uv pyproject.toml (goal: under 5 ms, like install), best and median of RUNS runs,
# against `true` measured the same way.
#   CUDAFIT  the binary (default: build/cudafit)
#   RUNS     timed runs (default: 50)
set -euo pipefail
cd "$(dirname "$0")/.."
cudafit="${CUDAFIT:-build/cudafit}"
runs="${RUNS:-50}"
[ -x "$cudafit" ] || { echo "no $cudafit (build it, or set CUDAFIT)" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf -- '--extra-index-url https://download.pytorch.org/whl/cu128\ntorch\ntorchvision\nxformers\nnumpy\n' \
  > "$dir/requirements.txt"
cat > "$dir/pyproject.toml" <<'TOML'
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["torch>=2.6", "numpy"]
[tool.uv.sources]
torch = { index = "pytorch-cu126" }
[[tool.uv.index]]
name = "pytorch-cu126"
url = "https://download.pytorch.org/whl/cu126"
explicit = true
TOML
machine=(--driver 570.86.10 --gpu "RTX 5090" --python 3.12 --no-detect)

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

for target in requirements.txt pyproject.toml; do
  "$cudafit" check "$dir/$target" "${machine[@]}" > /dev/null || true  # warms the page cache
  read -r best median <<< "$(stats "$cudafit" check "$dir/$target" "${machine[@]}")"
  echo "cudafit check $target ${machine[*]}"
  echo "  whole process: best ${best} ms, median ${median} ms over ${runs} runs (goal < 5 ms)"
done
read -r tbest tmedian <<< "$(stats /bin/true)"
echo "  /bin/true measured the same way: best ${tbest} ms, median ${tmedian} ms"
