#!/usr/bin/env bash
# The README's test command: installs the test packages, builds with warnings as errors,
# runs every test. Extra arguments go to ctest (e.g. -R versions).
#   BUILD_DIR   build folder (default build-test)
#   SANITIZE=1  build with AddressSanitizer and UBSan instead
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh --test
pytools=$(bash scripts/pytools.sh)
build="${BUILD_DIR:-build-test}"
cmake -S . -B "$build" -DCUDAFIT_WERROR=ON -DCUDAFIT_TESTS=ON -DCUDAFIT_SANITIZE="${SANITIZE:-0}" \
  -DCUDAFIT_PYTOOLS="$pytools" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" >/dev/null
cmake --build "$build" -j "$(nproc)"
cd "$build"
ctest --output-on-failure "$@"
