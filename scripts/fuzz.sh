#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (Debian's clang and libclang-rt-14-dev, installed
# by scripts/setup.sh) and runs each for FUZZ_SECONDS (default 30) from the committed seed
# corpus, then replays the kept reproducers of tests/fuzz/regressions/. A find stops the
# run with a non-zero exit and leaves its reproducer in build-fuzz/finds/<target>/.
# Longer runs: FUZZ_SECONDS=720 scripts/fuzz.sh (docs/reliability.md).
#   usage: scripts/fuzz.sh [target ...]     targets: csv dates contract policy import
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
SECONDS_EACH=${FUZZ_SECONDS:-30}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(csv dates contract policy import)

cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCTAI_FUZZ=ON \
  -DCTAI_BUILD_TESTS=OFF -DCTAI_BUILD_CLI=OFF -DCTAI_BUILD_EXAMPLES=OFF -DCTAI_INSTALL=OFF >/dev/null
cmake --build build-fuzz -j "$JOBS" --target "${TARGETS[@]/#/fuzz_}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "${TARGETS[@]}"; do
  work=build-fuzz/corpus/$t finds=build-fuzz/finds/$t
  mkdir -p "$work" "$finds"
  cp -n tests/fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  if [ -d tests/fuzz/regressions/"$t" ]; then
    echo "== fuzz_$t: replaying the regressions"
    build-fuzz/tests/fuzz/fuzz_"$t" tests/fuzz/regressions/"$t"/* >/dev/null 2>&1 ||
      { build-fuzz/tests/fuzz/fuzz_"$t" tests/fuzz/regressions/"$t"/*; exit 1; }
  fi
  echo "== fuzz_$t: ${SECONDS_EACH} s"
  build-fuzz/tests/fuzz/fuzz_"$t" -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=20 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$finds"/ "$work" 2>build-fuzz/fuzz_"$t".log ||
    { tail -n 60 build-fuzz/fuzz_"$t".log; echo "fuzz_$t found a problem: reproducer in $finds/"; exit 1; }
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' build-fuzz/fuzz_"$t".log | tr '\n' ' '; echo
done
