#!/usr/bin/env bash
# Creates (once) the venv of PyPI tools the tests use, listed with exact pins in
# scripts/pytools-requirements.txt, and prints its folder. The venv is cached under
# ${XDG_CACHE_HOME:-~/.cache}/cudafit/pytools-<hash of the requirements file>, so a new pin makes
# a new venv and an unchanged file costs nothing; the downloaded wheels stay in its wheelhouse/
# for tests that install offline. Debian's python3 and python3-venv (deps.sh --test) make it;
# PyPI must be reachable the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
req=scripts/pytools-requirements.txt
hash=$(sha256sum "$req" | cut -c1-12)
dir="${XDG_CACHE_HOME:-$HOME/.cache}/cudafit/pytools-$hash"
if [ ! -x "$dir/bin/python" ] || [ ! -f "$dir/.complete" ]; then
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  /usr/bin/python3 -m venv "$dir" >&2
  # The wheels are kept (wheelhouse/): tests that build offline use them as --find-links.
  "$dir/bin/pip" download --quiet --disable-pip-version-check -r "$req" -d "$dir/wheelhouse" >&2
  "$dir/bin/pip" install --quiet --disable-pip-version-check --no-index \
    --find-links "$dir/wheelhouse" -r "$req" >&2
  touch "$dir/.complete"
fi
echo "$dir"
