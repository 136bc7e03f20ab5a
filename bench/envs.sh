#!/usr/bin/env bash
# Whole-process time of `cudafit envs --json` over 1, 10, 100 and 1000 generated fixture
# environments (goal: linear, under 0.2 ms per environment), and in the same run the seed's
# verification script and `python3 -m torch.utils.collect_env` with Debian's python3-torch
# (/usr/bin/python3): cudafit should be over 100 times faster than either.
# Usage: bench/envs.sh [path/to/cudafit]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$here/build/cudafit}"
[[ -x "$bin" ]] || { echo "bench/envs.sh: no cudafit binary at $bin (build it first)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

now_us() { echo $(( $(date +%s%N) / 1000 )); }
# Best of $2 runs of command "$1" (microseconds): the least disturbed by the shared CPUs.
best_us() {
  local best=0 t
  for _ in $(seq "$2"); do
    t=$(now_us); eval "$1" >/dev/null 2>&1 || true; t=$(( $(now_us) - t ))
    if (( best == 0 || t < best )); then best=$t; fi
  done
  echo "$best"
}

# One venv like `python -m venv` + `pip install torch==2.3.1` makes: pyvenv.cfg, torch's
# dist-info with Requires-Dist pins, torch/version.py, the cuDNN wheel and numpy.
make_env() {
  local p="$1" site="$1/lib/python3.11/site-packages"
  mkdir -p "$p/bin" "$site/torch" "$site/torch-2.3.1+cu121.dist-info" \
    "$site/nvidia_cudnn_cu12-8.9.2.26.dist-info" "$site/numpy-1.26.4.dist-info"
  printf 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n' >"$p/pyvenv.cfg"
  ln -s /usr/bin/python3 "$p/bin/python3"
  printf 'Metadata-Version: 2.1\nName: torch\nVersion: 2.3.1+cu121\nRequires-Dist: filelock\nRequires-Dist: nvidia-cudnn-cu12 (==8.9.2.26) ; platform_system == "Linux" and platform_machine == "x86_64"\nRequires-Dist: triton (==2.3.1) ; platform_system == "Linux" and platform_machine == "x86_64" and python_version < "3.12"\n\n' \
    >"$site/torch-2.3.1+cu121.dist-info/METADATA"
  echo pip >"$site/torch-2.3.1+cu121.dist-info/INSTALLER"
  printf 'Metadata-Version: 2.1\nName: nvidia-cudnn-cu12\nVersion: 8.9.2.26\n\n' >"$site/nvidia_cudnn_cu12-8.9.2.26.dist-info/METADATA"
  echo pip >"$site/nvidia_cudnn_cu12-8.9.2.26.dist-info/INSTALLER"
  printf 'Metadata-Version: 2.1\nName: numpy\nVersion: 1.26.4\n\n' >"$site/numpy-1.26.4.dist-info/METADATA"
  : >"$site/torch/__init__.py"
  printf "__version__ = '2.3.1+cu121'\ndebug = False\ncuda = '12.1'\ngit_version = 'x'\nhip = None\n" >"$site/torch/version.py"
}

echo "== cudafit envs --json over N generated venvs in \$HOME/.virtualenvs (--all-envs; best of 15 runs: this VM's CPU time varies by tens of percent between runs)"
echo "   (on this machine's filesystem, as a user runs it; the system Python /usr is read too)"
printf '%6s  %10s  %12s\n' N "total ms" "ms per env"
declare -A total
for n in 1 10 100 1000; do
  home="$work/home$n"
  mkdir -p "$home/.virtualenvs"
  for i in $(seq "$n"); do make_env "$home/.virtualenvs/env$i"; done
  printf 'HOME=%s\nPATH=/nonexistent\n' "$home" >"$work/env$n.txt"
  cmd="'$bin' --env-file '$work/env$n.txt' envs --all-envs --json"
  got=$(eval "$cmd" | grep -c "\"path\": \"$home/.virtualenvs/env" || true)
  [[ "$got" == "$n" ]] || { echo "bench/envs.sh: expected $n environments, got $got" >&2; exit 1; }
  total[$n]=$(best_us "$cmd" 15)
  printf '%6d  %10.2f  %12.4f\n' "$n" "$(echo "${total[$n]}/1000" | bc -l)" "$(echo "${total[$n]}/1000/$n" | bc -l)"
done
printf 'marginal cost per env (1000 vs 1): %.4f ms\n' "$(echo "(${total[1000]}-${total[1]})/999/1000" | bc -l)"

echo "== this machine: cudafit envs --json (default discovery) vs Python importing torch"
mine=$(best_us "'$bin' envs --json" 5)
printf 'cudafit envs --json:                          %10.2f ms\n' "$(echo "$mine/1000" | bc -l)"
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  verify=$(best_us "/usr/bin/python3 $here/../shared/seed/verify.py" 3)
  collect=$(best_us "/usr/bin/python3 -m torch.utils.collect_env" 3)
  printf "seed verify.py (/usr/bin/python3):           %10.2f ms  (%.0fx cudafit)\n" \
    "$(echo "$verify/1000" | bc -l)" "$(echo "$verify/$mine" | bc -l)"
  printf "python3 -m torch.utils.collect_env:          %10.2f ms  (%.0fx cudafit)\n" \
    "$(echo "$collect/1000" | bc -l)" "$(echo "$collect/$mine" | bc -l)"
else
  echo "(Debian's python3-torch is not importable with /usr/bin/python3: Python timings skipped)"
fi
