#!/usr/bin/env bash
# Benchmarks of libctai against the tools analysts would otherwise use (docs/performance.md).
#   scripts/bench.sh            # sizes S and M (a few minutes), writes docs/performance.md
#   scripts/bench.sh --large    # also L (10^6 persons: long, several GB of disk and memory)
# Any other argument goes to bench/run_peers.py (e.g. --sizes S --reps 3, --regen).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
BUILD=${BUILD:-build-bench}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCTAI_BUILD_BENCH=ON \
  -DCTAI_BUILD_TESTS=OFF -DCTAI_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$BUILD" -j "$JOBS" --target ctai_cohort ctai_bench
# The CLI, when the tree has one, is timed too (W7); failing to build it is not fatal.
cmake --build "$BUILD" -j "$JOBS" --target ctai >/dev/null 2>&1 || true
PYTHON=${PYTHON:-python3}
if [ -x .venv/bin/python ] && .venv/bin/python -c 'import pandas, duckdb, polars' 2>/dev/null; then
  PYTHON=.venv/bin/python
fi
exec "$PYTHON" bench/run_peers.py --build "$BUILD" "$@"
