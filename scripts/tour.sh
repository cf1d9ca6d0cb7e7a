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
# (a unix socket path must stay under 108 bytes: fall back to /tmp for a long $TMPDIR)
TMP_BASE=${TMPDIR:-/tmp}
[ "${#TMP_BASE}" -gt 60 ] && TMP_BASE=/tmp
REDIS_DIR=$(mktemp -d "$TMP_BASE/pottery-tour.XXXXXX")
REDIS_PID=
cleanup() {
  if [ -n "$REDIS_PID" ]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  rm -rf "$REDIS_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SOCK="$REDIS_DIR/redis.sock"
# setpriv --pdeathsig: the server dies with this script even if it is SIGKILLed.
PDEATH=()
if command -v setpriv >/dev/null 2>&1 && setpriv --pdeathsig KILL true 2>/dev/null; then
  PDEATH=(setpriv --pdeathsig KILL --)
fi
"${PDEATH[@]}" redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 \
  --save "" --appendonly no --dir "$REDIS_DIR" --daemonize no \
  --loglevel warning --logfile "$REDIS_DIR/redis.log" </dev/null >/dev/null 2>&1 &
REDIS_PID=$!

for _ in $(seq 1 200); do
  if redis-cli -s "$SOCK" ping >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$REDIS_PID" 2>/dev/null; then
    echo "tour: redis-server failed to start:" >&2
    cat "$REDIS_DIR/redis.log" >&2 || true
    exit 1
  fi
  sleep 0.05
done
if ! redis-cli -s "$SOCK" ping >/dev/null 2>&1; then
  echo "tour: redis-server did not answer PING in 10 s" >&2
  exit 1
fi

export REDIS_URL="unix://$SOCK?db=0"

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
