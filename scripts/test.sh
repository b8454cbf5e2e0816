#!/usr/bin/env bash
# The test command of the README and of CI: sets up a fresh machine, builds everything
# with warnings as errors, runs the C++ tests (also under AddressSanitizer and
# UndefinedBehaviorSanitizer) and the Python tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

JOBS=${JOBS:-$(nproc)}
echo "== build (warnings as errors)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCTAI_WARNINGS_AS_ERRORS=ON \
  -DCTAI_BUILD_BENCH=ON >/dev/null
cmake --build build -j "$JOBS"
echo "== C++ tests"
ctest --test-dir build --output-on-failure -j "$JOBS"

echo "== the ctai command"
CTAI_CLI="$PWD/build/cli/ctai" .venv/bin/python -m pytest -q tests/cli

echo "== C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCTAI_WARNINGS_AS_ERRORS=ON \
  -DCTAI_SANITIZE=ON -DCTAI_INSTALL=OFF -DCTAI_BUILD_EXAMPLES=OFF -DCTAI_BUILD_CLI=OFF >/dev/null
cmake --build build-asan -j "$JOBS"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  CTAI_FAULT_BUDGET=40 ctest --test-dir build-asan --output-on-failure -j "$JOBS"

echo "== fuzz targets, a bounded time each (docs/reliability.md)"
FUZZ_SECONDS=${FUZZ_SECONDS:-30} JOBS="$JOBS" scripts/fuzz.sh csv dates contract policy import

if [ -f pyproject.toml ]; then
  echo "== Python package and tests"
  .venv/bin/python -m pip install -q --disable-pip-version-check . 
  .venv/bin/python -m pytest -q tests/python
fi

# After the package install: the Python peers of the bench then run this tree's ctai.
echo "== benchmarks still run (answers checked, nothing timed)"
BUILD=build JOBS="$JOBS" bench/smoke.sh
