#!/usr/bin/env bash
# Static analysis of the library's sources: clang-tidy (.clang-tidy) and cppcheck, both
# warnings-as-errors. Run by the test command. Usage: scripts/lint.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${1:-build/lint}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DPOTTERY_BUILD_TESTS=OFF -DPOTTERY_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$BUILD" -j "$(nproc)" >/dev/null # generates lua_scripts.c and checks it builds
mapfile -t sources < <(git ls-files 'src/*.c' 2>/dev/null || find src -name '*.c')
status=0
printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$BUILD" --quiet 2>/dev/null || status=1
cppcheck --enable=warning,performance,portability --std=c11 --inline-suppr --error-exitcode=1 -q \
  -I include -I src -I "$BUILD/generated" --suppress=missingIncludeSystem "${sources[@]}" || status=1
if [ "$status" -ne 0 ]; then
  echo "lint: clang-tidy or cppcheck reported problems (above)" >&2
fi
exit "$status"
