#!/usr/bin/env bash
# CI guard: the benchmarks still build and every workload still gives the right answer, at a
# tiny size (2000 persons). Checks answers only, times nothing (no timing assertion).
# About a minute once the library is built.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
BUILD=${BUILD:-build-bench}
PERSONS=${PERSONS:-2000}
# An existing build folder configured with -DCTAI_BUILD_BENCH=ON (CI's main build) is used
# as it is; otherwise a Release bench build is configured.
if ! grep -q "CTAI_BUILD_BENCH:BOOL=ON" "$BUILD/CMakeCache.txt" 2>/dev/null; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCTAI_BUILD_BENCH=ON \
    -DCTAI_BUILD_TESTS=OFF -DCTAI_BUILD_CLI=OFF -DCTAI_BUILD_EXAMPLES=OFF >/dev/null
fi
cmake --build "$BUILD" -j "$JOBS" --target ctai_cohort ctai_bench
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
"$BUILD/bench/ctai_cohort" --persons "$PERSONS" --out "$DATA/cohort" --quiet
# C++ workloads and floors against their slow references.
"$BUILD/bench/ctai_bench" --data "$DATA/cohort" --check-only
# Python peers (when their packages are installed) against the same references.
PYTHON=${PYTHON:-python3}
if [ -x .venv/bin/python ] && .venv/bin/python -c 'import pandas, duckdb, polars' 2>/dev/null; then
  PYTHON=.venv/bin/python
fi
if "$PYTHON" -c 'import pandas, duckdb, polars, pyarrow, dateutil' 2>/dev/null; then
  mkdir -p "$BUILD/bench-data"
  rm -rf "$BUILD/bench-data/$PERSONS"
  cp -r "$DATA/cohort" "$BUILD/bench-data/$PERSONS"
  "$PYTHON" bench/run_peers.py --build "$BUILD" --persons "$PERSONS" --check-only --no-doc
else
  echo "bench smoke: Python peers skipped (pip install -r bench/requirements.txt)"
fi
echo "bench smoke: ok"
