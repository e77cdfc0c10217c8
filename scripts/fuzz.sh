#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz and runs
# each for SECONDS (default 60) from the committed seed corpus. New inputs
# go to build-fuzz/corpus/<target> (kept between runs), crashes, leaks and
# hangs to build-fuzz/artifacts/ — and the script fails.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (targets: npy safetensors segy)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
shift || true
TARGETS=${*:-npy safetensors segy}
B=build-fuzz

CC=${CC_FUZZ:-clang} CXX=${CXX_FUZZ:-clang++} cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSEISINV_FUZZ=ON -DSEISINV_TESTS=OFF -DSEISINV_BENCH=OFF >/dev/null
cmake --build "$B" -j"$(nproc)" --target $(printf 'fuzz_%s ' $TARGETS) >/dev/null

mkdir -p "$B/artifacts"
for t in $TARGETS; do
  mkdir -p "$B/corpus/$t"
  echo "fuzz: $t for ${SECS}s" >&2
  # -timeout: one input over 10 s is a hang; -rss_limit_mb: over 2 GB a leak or blow-up.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$B/tests/fuzz/fuzz_$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$B/artifacts/$t-" \
    "$B/corpus/$t" "tests/fuzz/corpus/$t" 2>"$B/fuzz_$t.log" \
    || { tail -n 60 "$B/fuzz_$t.log" >&2; echo "fuzz: $t FAILED (see $B/artifacts/)" >&2; exit 1; }
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$B/fuzz_$t.log" | sed "s/^/  $t: /" >&2
done
echo "fuzz: no crash, leak or hang in $TARGETS (${SECS}s each)" >&2
