#!/usr/bin/env bash
# Installs cudafit's Debian 12 packages. `deps.sh` = what the tool needs to build;
# `deps.sh --test` adds what the tests, sanitizers, fuzzers and linters need (tests/export and
# tests/fleet check cudafit's output with the real consumers: Prometheus' promtool, headless
# Chromium, systemd-analyze); `deps.sh --bench` adds to those what bench/ measures with
# (hyperfine for times, valgrind's callgrind for instruction counts, strace for opened files).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
pkgs=(cmake g++ make libcli11-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev zlib1g-dev
      libcurl4-openssl-dev)
case "${1:-}" in
  "" | --test | --bench) ;;
  *) echo "usage: bash scripts/deps.sh [--test | --bench]" >&2; exit 2 ;;
esac
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--bench" ]; then
  pkgs+=(libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev clang-format clang-tidy
         python3 python3-venv python3-pip python3-torch ccache
         prometheus chromium systemd)
fi
if [ "${1:-}" = "--bench" ]; then
  pkgs+=(hyperfine valgrind strace)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
