#!/usr/bin/env bash
# Usage: run_example.sh <program> <expected-output-file>
#
# Starts a private redis-server (unix socket only, persistence off) in a temporary
# directory, exports REDIS_URL=unix://<socket>?db=0, runs <program> and compares its
# standard output with <expected-output-file>. Prints the diff and exits 1 on mismatch
# (or when the program fails). The server and the directory are removed on exit.
# POTTERY_REDIS_SERVER may name the redis-server binary.
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 <program> <expected-output-file>" >&2
  exit 2
fi
PROGRAM=$1
EXPECTED=$2
REDIS_SERVER=${POTTERY_REDIS_SERVER:-redis-server}

if [ ! -x "$PROGRAM" ]; then
  echo "run_example: $PROGRAM is not an executable" >&2
  exit 2
fi
if [ ! -r "$EXPECTED" ]; then
  echo "run_example: cannot read $EXPECTED" >&2
  exit 2
fi

# (a unix socket path must stay under 108 bytes: fall back to /tmp for a long $TMPDIR)
TMP_BASE=${TMPDIR:-/tmp}
[ "${#TMP_BASE}" -gt 60 ] && TMP_BASE=/tmp
WORK=$(mktemp -d "$TMP_BASE/pottery-example.XXXXXX")
REDIS_PID=
cleanup() {
  if [ -n "$REDIS_PID" ]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SOCK="$WORK/redis.sock"
# setpriv --pdeathsig: the server dies with this script even if it is SIGKILLed.
PDEATH=()
if command -v setpriv >/dev/null 2>&1 && setpriv --pdeathsig KILL true 2>/dev/null; then
  PDEATH=(setpriv --pdeathsig KILL --)
fi
"${PDEATH[@]}" "$REDIS_SERVER" --port 0 --unixsocket "$SOCK" --unixsocketperm 700 \
  --save "" --appendonly no --dir "$WORK" --daemonize no \
  --loglevel warning --logfile "$WORK/redis.log" </dev/null >/dev/null 2>&1 &
REDIS_PID=$!

# Wait (up to 10 s) until it answers PING (or, without redis-cli, until the socket exists).
ready=0
for _ in $(seq 1 200); do
  if ! kill -0 "$REDIS_PID" 2>/dev/null; then
    break
  fi
  if command -v redis-cli >/dev/null 2>&1; then
    if [ "$(redis-cli -s "$SOCK" ping 2>/dev/null || true)" = "PONG" ]; then
      ready=1
      break
    fi
  elif [ -S "$SOCK" ]; then
    ready=1
    break
  fi
  sleep 0.05
done
if [ "$ready" -ne 1 ]; then
  echo "run_example: redis-server did not start" >&2
  cat "$WORK/redis.log" >&2 2>/dev/null || true
  exit 1
fi

export REDIS_URL="unix://$SOCK?db=0"

ACTUAL="$WORK/actual.out"
status=0
"$PROGRAM" >"$ACTUAL" </dev/null || status=$?

if ! diff -u --label "expected ($EXPECTED)" --label "actual ($(basename "$PROGRAM"))" \
     "$EXPECTED" "$ACTUAL"; then
  echo "run_example: output of $(basename "$PROGRAM") differs from $EXPECTED" >&2
  [ "$status" -ne 0 ] && echo "run_example: (it also exited with status $status)" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "run_example: $(basename "$PROGRAM") exited with status $status" >&2
  exit 1
fi
echo "run_example: $(basename "$PROGRAM") output matches $(basename "$EXPECTED")"
