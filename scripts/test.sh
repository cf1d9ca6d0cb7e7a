#!/usr/bin/env bash
# Install what is missing, build libpottery with sanitizers and warnings-as-errors, and run
# the whole test suite (unit tests, integration tests against private redis-servers, and
# the README examples). Usage: scripts/test.sh   (BUILD_DIR=... to choose the build dir)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BUILD_DIR=${BUILD_DIR:-build/test}

bash scripts/install-deps.sh

# Formatting first: it takes a second and names the files to fix.
bash scripts/check-format.sh

JOBS=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)

cmake -S . -B "$BUILD_DIR" \
  -DCMAKE_BUILD_TYPE=Debug \
  -DPOTTERY_SANITIZE=ON \
  -DPOTTERY_ALLOC_FAIL=ON \
  -DPOTTERY_WERROR=ON \
  -DPOTTERY_DOCS_CHECK=ON
cmake --build "$BUILD_DIR" -j "$JOBS"

# Static analysis (clang-tidy, cppcheck) of the library's sources.
bash scripts/lint.sh "$BUILD_DIR-lint"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Each test program starts its own servers on free ports / private sockets, so tests can
# run in parallel.
status=0
(cd "$BUILD_DIR" && ctest --output-on-failure -j2) || status=$?

# ThreadSanitizer over the tests whose library calls run on several threads at once (ctest
# label "threads"): test_threads (threads hammering every module, each with clients of its
# own and then sharing pooled handles, on a server and on a cluster), the pool's (16 threads
# on shared handles, a server restart under load), the Redlock watchdog's (a renewer thread
# beside the holders) and the per-thread errors'. Those four programs only, in a build of
# their own (with the allocation-failure hook, whose counters are per thread): some 50 s.
# The other programs call the library from one thread (but test_cluster, whose pool
# threads run between failovers that take minutes: too long for this step). Any report
# fails it.
TSAN_DIR=${TSAN_BUILD_DIR:-build/tsan}
cmake -S . -B "$TSAN_DIR" \
  -DCMAKE_BUILD_TYPE=Debug \
  -DPOTTERY_TSAN=ON \
  -DPOTTERY_ALLOC_FAIL=ON \
  -DPOTTERY_WERROR=ON \
  -DPOTTERY_BUILD_EXAMPLES=OFF \
  -DPOTTERY_BUILD_BENCH=OFF >/dev/null
cmake --build "$TSAN_DIR" -j "$JOBS" --target test_threads test_pool test_redlock_lifetime test_errors
(cd "$TSAN_DIR" && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ctest --output-on-failure -j2 -L threads) ||
  status=$?

# valgrind memcheck over the suite (build/valgrind, no sanitizers): every test program,
# its forked workers and the examples; any memory error or leaked block fails it.
bash scripts/valgrind.sh || status=$?

# libFuzzer over the JSON decoder, the encode round trip, URL parsing and the Bloom/cache
# hashing (fuzz/, clang, build/fuzz): FUZZ_SECONDS each (15), from the seed corpora; any
# crash, leak or sanitizer report fails it.
bash scripts/fuzz.sh "${FUZZ_SECONDS:-15}" || status=$?
# Line coverage of src/ (a gcc --coverage build of its own, the suite once more without
# sanitizers): printed last; below the 90% target it fails the run.
bash scripts/coverage.sh || status=$?
exit "$status"
