#!/usr/bin/env bash
# valgrind memcheck over the test suite: a Debug build without sanitizers (build/valgrind)
# whose test programs and examples run under
#   valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect
# with --error-exitcode, so that any memory error (invalid read or write, use of
# uninitialised memory, bad free) or any leaked block fails its test. Forked test workers
# are checked too (valgrind follows fork); the redis-server and redis-cli processes the
# harness execs run natively (no --trace-children).
#
# Leaks: "definitely" and "indirectly" lost blocks are errors. "Possibly lost" is not: hiredis
# points at its strings (sds) past their header, so a connection still open when a forked
# worker _exit()s shows as possibly lost; "still reachable" is memory a pointer still holds
# at exit (a forked worker inherits its parent's whole heap).
#
# POTTERY_TEST_TIME_SCALE (set here) widens the wall-clock margins of the tests that have
# them (tests/support/test_util.h, test_time_scale()). Tests that build and run nothing of
# this build under valgrind (packaging, header and README checks: the sanitizer build runs
# them) are left out.
# Usage: scripts/valgrind.sh   (VALGRIND_BUILD_DIR=..., VALGRIND_CTEST_ARGS="-R dict")
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BUILD_DIR=${VALGRIND_BUILD_DIR:-build/valgrind}
JOBS=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)

bash scripts/install-deps.sh

# The exit code of a program in which memcheck found an error (none of the tests uses it).
ERROR_EXITCODE=97
# shellcheck disable=SC2054 # the commas are valgrind's, inside one argument
MEMCHECK=(valgrind --tool=memcheck --leak-check=full
  --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
  "--error-exitcode=$ERROR_EXITCODE" --track-fds=no --num-callers=40
  --suppressions="$ROOT/tests/valgrind.supp")

# CMAKE_CROSSCOMPILING_EMULATOR is the command every add_test() of an executable target
# runs through (a CMake list); the examples, run by tests/run_example.sh, take it from
# POTTERY_EXAMPLE_LAUNCHER.
launcher=$(
  IFS=';'
  echo "${MEMCHECK[*]}"
)
# Under memcheck a program's own work runs 10-50 times slower, but the tests mostly wait for
# Redis: their wall-clock slack is widened 3 times (test_time_scale()), their ctest TIMEOUTs
# likewise.
export POTTERY_TEST_TIME_SCALE=${POTTERY_TEST_TIME_SCALE:-3}
case $POTTERY_TEST_TIME_SCALE in
  '' | *[!0-9]* | 0)
    echo "valgrind: POTTERY_TEST_TIME_SCALE must be a whole number >= 1 (got '$POTTERY_TEST_TIME_SCALE')" >&2
    exit 2
    ;;
esac
cmake -S . -B "$BUILD_DIR" \
  -DCMAKE_BUILD_TYPE=Debug \
  -DPOTTERY_ALLOC_FAIL=ON \
  -DPOTTERY_WERROR=ON \
  -DPOTTERY_BUILD_BENCH=OFF \
  "-DPOTTERY_TEST_TIMEOUT_SCALE=$POTTERY_TEST_TIME_SCALE" \
  "-DCMAKE_CROSSCOMPILING_EMULATOR=$launcher" >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"

export POTTERY_EXAMPLE_LAUNCHER="${MEMCHECK[*]}"

# Tests that run no program of this build: packaging and consumers (nested builds of their
# own), each header compiled alone, the README excerpts.
NOT_PROGRAMS='packaging_install.*|consumer_.*|symbols_exported|headers_standalone_.*|readme_examples|docs'

# The one measure no slack keeps meaningful: loop_keeps_ticking (aio_*, aio_watchdog_*)
# asserts that the event loop never goes 150 ms without turning while a master is frozen (a
# loop blocked on it would show its 300 ms command timeout); under memcheck the loop's own
# work between two turns already takes hundreds of milliseconds. The other tests of those
# programs run.
# Two examples print what the README shows of their timing: example_timer whether 100 ms
# sleeps measured under 200 ms, example_ratelimit a wait of 333 ms less the time the program
# spent, to the nearest 100 ms.
export POTTERY_TEST_SKIP=loop_keeps_ticking
TIMED='example_timer|example_ratelimit'
echo "valgrind: not run under memcheck, as their measures are of milliseconds that its" \
  "slowdown swamps: loop_keeps_ticking of aio_* and aio_watchdog_* (event-loop turn gaps)," \
  "example_timer and example_ratelimit (their output shows timings to the 100 ms)"

echo "valgrind: memcheck over the suite (time scale $POTTERY_TEST_TIME_SCALE)"
start=$SECONDS
status=0
# shellcheck disable=SC2086 # VALGRIND_CTEST_ARGS is a list of ctest arguments
(cd "$BUILD_DIR" && ctest --output-on-failure -j2 -E "^($NOT_PROGRAMS|$TIMED)\$" ${VALGRIND_CTEST_ARGS:-}) || status=$?
echo "valgrind: suite under memcheck took $((SECONDS - start)) s"
if [ "$status" -ne 0 ]; then
  echo "valgrind: failures above (memcheck's reports exit with $ERROR_EXITCODE)" >&2
fi
exit "$status"
