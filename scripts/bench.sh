#!/usr/bin/env bash
# Builds the benchmarks (Release) and runs each against a private redis-server, once over
# TCP loopback and once over a unix socket. Every line compares libpottery with raw hiredis
# doing the same work in the same run; read the ratio, not the absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD=${POTTERY_BENCH_BUILD_DIR:-build/bench}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DPOTTERY_BUILD_TESTS=OFF -DPOTTERY_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$BUILD" -j "$(nproc)" >/dev/null

DIR=$(mktemp -d /tmp/pottery-bench.XXXXXX)
# A loopback port nobody answers on.
while :; do
  PORT=$((20000 + RANDOM % 40000))
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break
done
redis-server --port "$PORT" --bind 127.0.0.1 --unixsocket "$DIR/redis.sock" --unixsocketperm 700 \
  --save "" --appendonly no --dir "$DIR" --daemonize no --loglevel warning >"$DIR/redis.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do [ -S "$DIR/redis.sock" ] && break; sleep 0.05; done

for bench in "$BUILD"/bench/bench_*; do
  [ -x "$bench" ] || continue
  echo "## $(basename "$bench") over TCP 127.0.0.1:$PORT"
  "$bench" tcp 127.0.0.1 "$PORT"
  echo
  echo "## $(basename "$bench") over unix socket"
  "$bench" unix "$DIR/redis.sock"
  echo
done
