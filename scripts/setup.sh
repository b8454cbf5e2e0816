#!/usr/bin/env bash
# Installs what libctai needs on a fresh Debian 12 machine (idempotent): the C++ toolchain
# and libraries from Debian's packages, the Python tools from PyPI into a virtual
# environment at .venv. Run as root (CI and the project machines are root) or with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(build-essential cmake ninja-build pkg-config git
  libsqlite3-dev libsqlitecpp-dev libhowardhinnant-date-dev libgtest-dev
  nlohmann-json3-dev libcli11-dev libcsv-dev libssl-dev libbenchmark-dev
  python3-venv chromium clang libclang-rt-14-dev)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating the virtual environment .venv"
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
