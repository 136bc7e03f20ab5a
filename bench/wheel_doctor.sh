#!/usr/bin/env bash
# Whole-process time of the wheel's `cudafit doctor` (pip-installed into a venv) against the
# CMake-built binary, on this machine and on the largest fixture machine, and what Python adds
# around it: `python -m cudafit doctor` (an interpreter start, then exec) and `cudafit.doctor()`
# called in a running interpreter (a subprocess and json.loads). Goal: the installed binary as
# fast as the CMake-built one (the same Release code; zlib linked in as well).
# Usage: bench/wheel_doctor.sh [path/to/cmake-built/cudafit] [venv with the wheel installed]
# Without a venv it builds the wheel (scripts/wheel.sh: quick after a build, through ccache) into
# bench/.cache/wheel and installs it into a fresh bench/.cache/wheel-venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
built="${1:-$here/build/cudafit}"
venv="${2:-}"
[[ -x "$built" ]] || { echo "bench/wheel_doctor.sh: no cudafit binary at $built (build it first)" >&2; exit 2; }
if [[ -z "$venv" ]]; then
  venv="$here/bench/.cache/wheel-venv"
  echo "== building the wheel (scripts/wheel.sh) and installing it into $venv"
  # With the CMake build's compiler, generator and flags, in a folder beside it: ccache then
  # serves every object that build compiled (tests/wheel/wheel_test.py does the same).
  cache="$(dirname "$built")/CMakeCache.txt"
  if [[ -f "$cache" ]]; then
    var() { sed -n "s/^$1:[A-Z]*=//p" "$cache"; }
    export CXX="$(var CMAKE_CXX_COMPILER)" CC="$(var CMAKE_C_COMPILER)"
    export CMAKE_GENERATOR="$(var CMAKE_GENERATOR)" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)"
    export SKBUILD_CMAKE_DEFINE="CUDAFIT_WERROR=$(var CUDAFIT_WERROR)"
    export SKBUILD_BUILD_DIR="$(cd "$(dirname "$built")" && pwd).bench-wheel"
  fi
  wheel=$(bash "$here/scripts/wheel.sh" "$here/bench/.cache/wheel" 2>/dev/null)
  rm -rf "$venv"
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --no-index --no-deps --disable-pip-version-check "$wheel"
  echo "  $(basename "$wheel")"
fi
installed="$venv/bin/cudafit"
[[ -x "$installed" ]] || { echo "bench/wheel_doctor.sh: no cudafit in $venv/bin" >&2; exit 2; }

largest="" most=0
for dir in "$here"/tests/machines/*/; do
  [[ -d "$dir/root" && -f "$dir/env.txt" ]] || continue
  n=$(find "$dir/root" | wc -l)
  if (( n > most )); then most=$n; largest=${dir%/}; fi
done

# "median best" of N runs in microseconds: hyperfine -N when installed (each command alone,
# no shell), else bench/spawn_times.py (the same, from Python). On shared CPUs the best run is
# the least disturbed one: the ratio below compares bests, the medians show the spread.
timing_us() {
  local runs=$1 out median best
  shift
  if command -v hyperfine >/dev/null; then
    out=$(mktemp)
    hyperfine -N -i --warmup 10 --runs "$runs" --export-json "$out" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
    /usr/bin/python3 -c 'import json,sys,statistics as s; t=json.load(open(sys.argv[1]))["results"][0]["times"]; print(int(s.median(t)*1e6), int(min(t)*1e6))' "$out"
    rm -f "$out"
    return
  fi
  # bench/spawn_times.py: "mean median best", each run spawned without a shell.
  read -r _ median best < <(/usr/bin/python3 "$here/bench/spawn_times.py" "$runs" -- "$@") || true
  echo "${median:-0} ${best:-0}"
}
ms() { awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }'; }
api_us() {  # cudafit.doctor(...) in a running interpreter: the mean of 100 calls
  "$venv/bin/python" - "$@" <<'EOF'
import sys, time, cudafit
kw = dict(zip(("root", "env_file"), sys.argv[1:])) if len(sys.argv) > 1 else {}
cudafit.doctor(driver_libs=False, **kw)
t0 = time.perf_counter()
for _ in range(100):
    cudafit.doctor(driver_libs=False, **kw)
print(int((time.perf_counter() - t0) / 100 * 1e6))
EOF
}

bench() {  # $1 label; the rest: global options before `doctor`
  local label=$1 b i p a
  shift
  echo "== cudafit doctor, $label"
  read -r b_med b_min < <(timing_us 300 "$built" "$@" doctor --no-driver-libs)
  read -r i_med i_min < <(timing_us 300 "$installed" "$@" doctor --no-driver-libs)
  read -r p_med p_min < <(timing_us 50 "$venv/bin/python" -m cudafit "$@" doctor --no-driver-libs)
  if [[ $# -gt 0 ]]; then a=$(api_us "$2" "$4"); else a=$(api_us); fi
  row() { printf '  %-46s median %9s, best %9s\n' "$1" "$(ms "$2")" "$(ms "$3")"; }
  row "CMake-built $built" "$b_med" "$b_min"
  row "installed from the wheel" "$i_med" "$i_min"
  row "python -m cudafit doctor" "$p_med" "$p_min"
  printf '  %-46s mean   %9s\n' "cudafit.doctor() in a running Python" "$(ms "$a")"
  awk -v b="$b_min" -v i="$i_min" 'BEGIN { printf "  installed / CMake-built (best runs): %.2f (goal: <= 1.05)\n", i / b }'
}

bench "this machine (/)"
if [[ -n "$largest" ]]; then
  bench "fixture $(basename "$largest") ($most files)" --root "$largest/root" --env-file "$largest/env.txt"
fi
