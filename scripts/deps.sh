#!/usr/bin/env bash
# Installs cudafit's Debian 12 packages. `deps.sh` = what the tool needs to build;
# `deps.sh --test` adds what the tests, sanitizers, fuzzers and linters need (tests/export and
# tests/fleet check cudafit's output with the real consumers: Prometheus' promtool, headless
# Chromium, systemd-analyze).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
pkgs=(cmake g++ make libcli11-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev zlib1g-dev
      libcurl4-openssl-dev)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev clang-format clang-tidy
         python3 python3-venv python3-pip python3-torch ccache
         prometheus chromium systemd)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
