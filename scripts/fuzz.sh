#!/usr/bin/env bash
# Build the libFuzzer targets of fuzz/ with clang (ASan+UBSan, build/fuzz) and run each for a
# bounded time over a copy of its seed corpus (fuzz/corpus/<target>/, left untouched), with
# its dictionary fuzz/fuzz_<target>.dict if there is one.
# Fails on any crash, leak, timeout or sanitizer report; the reproducer is kept in
# build/fuzz/artifacts/ beside its log. Usage: scripts/fuzz.sh [seconds per target, default 20]
#   FUZZ_BUILD_DIR=...  the build directory     FUZZ_TARGETS="json url"  a subset
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SECONDS_PER_TARGET=${1:-20}
BUILD_DIR=${FUZZ_BUILD_DIR:-build/fuzz}
TARGETS=${FUZZ_TARGETS:-json json_roundtrip url hash reply}

bash scripts/install-deps.sh

CC=clang cmake -S . -B "$BUILD_DIR" \
  -DCMAKE_BUILD_TYPE=Debug \
  -DPOTTERY_FUZZ=ON \
  -DPOTTERY_WERROR=ON \
  -DPOTTERY_BUILD_TESTS=OFF \
  -DPOTTERY_BUILD_EXAMPLES=OFF \
  -DPOTTERY_BUILD_BENCH=OFF \
  -DPOTTERY_INSTALL=OFF >/dev/null
read -r -a names <<<"$TARGETS"
cmake --build "$BUILD_DIR" -j "$(nproc 2>/dev/null || echo 2)" --target "${names[@]/#/fuzz_}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ARTIFACTS="$BUILD_DIR/artifacts"
mkdir -p "$ARTIFACTS"

status=0
for t in "${names[@]}"; do
  mkdir -p "$WORK/$t"
  cp -R "fuzz/corpus/$t/." "$WORK/$t/"
  log="$ARTIFACTS/$t.log"
  dict=()
  if [ -f "fuzz/fuzz_$t.dict" ]; then dict=(-dict="fuzz/fuzz_$t.dict"); fi
  if "$BUILD_DIR/fuzz/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$ARTIFACTS/$t-" "${dict[@]}" "$WORK/$t" >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "fuzz: fuzz_$t: ${SECONDS_PER_TARGET}s, ${execs:-?} inputs (${rate:-?}/s), no finding"
  else
    echo "fuzz: fuzz_$t FAILED; the end of its log ($log):" >&2
    tail -n 60 "$log" >&2
    echo "fuzz: reproducer in $ARTIFACTS/ (run: $BUILD_DIR/fuzz/fuzz_$t <file>)" >&2
    status=1
  fi
done
exit "$status"
