#!/usr/bin/env bash
# The README's first command: sets up a fresh machine, builds libctai and the `ctai`
# command, and runs `ctai demo` (synthetic cohort -> exchange folder -> store -> report).
# Extra arguments go to `ctai demo` (e.g. scripts/demo.sh /tmp/demo --persons 1000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target ctai_cli
exec build/cli/ctai demo "$@"
