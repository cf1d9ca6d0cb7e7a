#!/usr/bin/env bash
# Builds the benchmarks (Release) and runs each against a private redis-server, once over
# TCP loopback and once over a unix socket. Every line compares libpottery with raw hiredis
# doing the same work in the same run; read the ratio, not the absolute numbers.
#
#   scripts/bench.sh            every benchmark
#   scripts/bench.sh aio dict   only bench_aio and bench_dict
#
# POTTERY_BENCH_TRANSPORTS="tcp" (or "unix") runs the single-server programs over that
# transport only. POTTERY_BENCH_ROWS=FILE makes every program append its results to FILE as
# tab-separated rows (bench/bench_common.h; scripts/benchmark.sh tabulates them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD=${POTTERY_BENCH_BUILD_DIR:-build/bench}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DPOTTERY_BUILD_TESTS=OFF -DPOTTERY_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$BUILD" -j "$(nproc)" >/dev/null

ONLY=("$@")
TRANSPORTS=${POTTERY_BENCH_TRANSPORTS:-tcp unix}
# selected NAME: the benchmark bench_NAME was asked for (or no names were given).
selected() {
  [ "${#ONLY[@]}" -eq 0 ] && return 0
  local name
  for name in "${ONLY[@]}"; do [ "$name" = "$1" ] && return 0; done
  return 1
}

# shellcheck source=scripts/private-redis.sh
. scripts/private-redis.sh
# A loopback port nobody answers on; it can still be taken before the server binds it
# (other programs pick free ports too), so try a few.
started=
for _ in 1 2 3 4 5; do
  while :; do
    PORT=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break
  done
  if private_redis_start bench "$PORT" 2>/dev/null; then
    started=1
    break
  fi
  private_redis_stop
done
[ -n "$started" ] || { echo "bench: no redis-server could be started" >&2; exit 1; }

for bench in "$BUILD"/bench/bench_*; do
  [ -x "$bench" ] || continue
  case "$(basename "$bench")" in bench_redlock | bench_nextid | bench_aio | bench_cluster) continue ;; esac # below
  selected "$(basename "$bench" | sed 's/^bench_//')" || continue
  if [[ " $TRANSPORTS " == *" tcp "* ]]; then
    echo "## $(basename "$bench") over TCP 127.0.0.1:$PORT"
    "$bench" tcp 127.0.0.1 "$PORT"
    echo
  fi
  if [[ " $TRANSPORTS " == *" unix "* ]]; then
    echo "## $(basename "$bench") over unix socket"
    "$bench" unix "$PRIVATE_REDIS_SOCK"
    echo
  fi
done

# The distributed primitives over five independent masters (redis://127.0.0.1:PORT/0 each),
# started once for all of them.
masters() {
  [ "${#PRIVATE_REDIS_MASTER_URLS[@]}" -gt 0 ] && return 0
  private_redis_start_masters bench-masters 5
  trap 'private_redis_stop_masters; private_redis_stop' EXIT
}
PRIVATE_REDIS_MASTER_URLS=()
if [ -x "$BUILD/bench/bench_redlock" ] && selected redlock; then
  masters
  echo "## bench_redlock over 1 and 5 masters (TCP loopback)"
  "$BUILD/bench/bench_redlock" "${PRIVATE_REDIS_MASTER_URLS[@]}"
  echo
fi
if [ -x "$BUILD/bench/bench_nextid" ] && selected nextid; then
  masters
  echo "## bench_nextid over 1 and 5 masters (TCP loopback)"
  "$BUILD/bench/bench_nextid" tcp 127.0.0.1 "$PORT" "${PRIVATE_REDIS_MASTER_URLS[@]:0:4}"
  echo
fi
# Built when the libevent adapter is (libuv's too when built).
if [ -x "$BUILD/bench/bench_aio" ] && selected aio; then
  masters
  echo "## bench_aio: event-loop Redlock and NextID over 5 masters (TCP loopback)"
  "$BUILD/bench/bench_aio" "${PRIVATE_REDIS_MASTER_URLS[@]}"
  echo
fi
# Routing through a Redis Cluster client, next to raw hiredis on the node owning the key.
if [ -x "$BUILD/bench/bench_cluster" ] && selected cluster; then
  [ "${#PRIVATE_REDIS_MASTER_URLS[@]}" -gt 0 ] && private_redis_stop_masters
  private_redis_start_cluster bench-cluster 3
  trap 'private_redis_stop_masters; private_redis_stop' EXIT
  echo "## bench_cluster: a 3-master Redis Cluster (TCP loopback)"
  "$BUILD/bench/bench_cluster" "${PRIVATE_REDIS_MASTER_URLS[@]}"
  echo
fi
