#!/usr/bin/env bash
# Usage: run_example.sh <program> <expected-output-file>
#
# Starts a private redis-server (unix socket only, persistence off) in a temporary
# directory, exports REDIS_URL=unix://<socket>?db=0, runs <program> and compares its
# standard output with <expected-output-file>. Prints the diff and exits 1 on mismatch
# (or when the program fails). The server and the directory are removed on exit.
# POTTERY_REDIS_SERVER may name the redis-server binary; POTTERY_EXAMPLE_LAUNCHER, a command
# the program runs under (scripts/valgrind.sh sets it to valgrind's memcheck).
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 <program> <expected-output-file>" >&2
  exit 2
fi
PROGRAM=$1
EXPECTED=$2

if [ ! -x "$PROGRAM" ]; then
  echo "run_example: $PROGRAM is not an executable" >&2
  exit 2
fi
if [ ! -r "$EXPECTED" ]; then
  echo "run_example: cannot read $EXPECTED" >&2
  exit 2
fi

# shellcheck source=scripts/private-redis.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/private-redis.sh"
private_redis_start example || exit 1
WORK=$PRIVATE_REDIS_DIR

ACTUAL="$WORK/actual.out"
launcher=()
[ -n "${POTTERY_EXAMPLE_LAUNCHER:-}" ] && read -r -a launcher <<<"$POTTERY_EXAMPLE_LAUNCHER"
status=0
"${launcher[@]}" "$PROGRAM" >"$ACTUAL" </dev/null || status=$?

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
