#!/usr/bin/env bash
# The tour: install what is missing, build libpottery (Release), start a private
# redis-server on a unix socket and run every example listed in examples/TOUR (one name
# per line, '#' starts a comment; each is the program examples/<name>.c).
# Usage: scripts/tour.sh   (BUILD_DIR=... to choose the build dir)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BUILD_DIR=${BUILD_DIR:-build/tour}

bash scripts/install-deps.sh

JOBS=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)

mkdir -p "$BUILD_DIR"
BUILD_LOG="$BUILD_DIR/tour-build.log"
echo "tour: building in $BUILD_DIR (log: $BUILD_LOG)"
if ! { cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
         -DPOTTERY_BUILD_TESTS=OFF -DPOTTERY_BUILD_BENCH=OFF -DPOTTERY_BUILD_EXAMPLES=ON &&
       cmake --build "$BUILD_DIR" -j "$JOBS"; } >"$BUILD_LOG" 2>&1; then
  cat "$BUILD_LOG" >&2
  echo "tour: build failed" >&2
  exit 1
fi

# A private redis-server: unix socket only, persistence off, gone when we exit.
# shellcheck source=scripts/private-redis.sh
. "$ROOT/scripts/private-redis.sh"
private_redis_start tour || exit 1

failed=()
while IFS= read -r line || [ -n "$line" ]; do
  name=${line%%#*}
  name=$(echo "$name" | tr -d '[:space:]')
  [ -z "$name" ] && continue
  echo "== $name =="
  exe="$BUILD_DIR/examples/$name"
  if [ ! -x "$exe" ]; then
    echo "tour: example program $exe not found" >&2
    failed+=("$name")
    continue
  fi
  if ! "$exe" </dev/null; then
    echo "tour: $name failed" >&2
    failed+=("$name")
  fi
  echo
done < examples/TOUR

if [ "${#failed[@]}" -ne 0 ]; then
  echo "tour: failed: ${failed[*]}" >&2
  exit 1
fi
echo "tour: all examples ran"
