# Sourced by the tour, the example runner and the benchmarks: start a private
# redis-server that dies with the calling script.
#
#   private_redis_start LABEL [PORT]
#
# Starts redis-server on a unix socket in a new temporary directory (and also on
# 127.0.0.1:PORT when PORT is given), persistence off, and waits until it answers.
# Sets PRIVATE_REDIS_DIR, PRIVATE_REDIS_SOCK and exports REDIS_URL=unix://SOCK?db=0.
# An EXIT trap stops the server and removes the directory. POTTERY_REDIS_SERVER may
# name the redis-server binary.

private_redis_stop() {
  if [ -n "${PRIVATE_REDIS_PID:-}" ]; then
    kill "$PRIVATE_REDIS_PID" 2>/dev/null || true
    wait "$PRIVATE_REDIS_PID" 2>/dev/null || true
    PRIVATE_REDIS_PID=
  fi
  [ -n "${PRIVATE_REDIS_DIR:-}" ] && rm -rf "$PRIVATE_REDIS_DIR"
  PRIVATE_REDIS_DIR=
}

private_redis_start() {
  local label=$1 port=${2:-0} server=${POTTERY_REDIS_SERVER:-redis-server}
  # A unix socket path must stay under 108 bytes: fall back to /tmp for a long $TMPDIR.
  local base=${TMPDIR:-/tmp}
  [ "${#base}" -gt 60 ] && base=/tmp
  PRIVATE_REDIS_DIR=$(mktemp -d "$base/pottery-$label.XXXXXX")
  PRIVATE_REDIS_SOCK="$PRIVATE_REDIS_DIR/redis.sock"
  PRIVATE_REDIS_PID=
  trap private_redis_stop EXIT
  trap 'exit 130' INT TERM

  local tcp=(--port "$port")
  [ "$port" -ne 0 ] && tcp+=(--bind 127.0.0.1)
  # setpriv --pdeathsig: the server dies with this script even if it is SIGKILLed.
  local pdeath=()
  if command -v setpriv >/dev/null 2>&1 && setpriv --pdeathsig KILL true 2>/dev/null; then
    pdeath=(setpriv --pdeathsig KILL --)
  fi
  "${pdeath[@]}" "$server" "${tcp[@]}" --unixsocket "$PRIVATE_REDIS_SOCK" --unixsocketperm 700 \
    --save "" --appendonly no --dir "$PRIVATE_REDIS_DIR" --daemonize no \
    --loglevel warning --logfile "$PRIVATE_REDIS_DIR/redis.log" </dev/null >/dev/null 2>&1 &
  PRIVATE_REDIS_PID=$!

  # Wait (up to 10 s) until it answers PING (or, without redis-cli, until the socket exists).
  local _
  for _ in $(seq 1 200); do
    kill -0 "$PRIVATE_REDIS_PID" 2>/dev/null || break
    if command -v redis-cli >/dev/null 2>&1; then
      if [ "$(redis-cli -s "$PRIVATE_REDIS_SOCK" ping 2>/dev/null || true)" = "PONG" ]; then
        export REDIS_URL="unix://$PRIVATE_REDIS_SOCK?db=0"
        return 0
      fi
    elif [ -S "$PRIVATE_REDIS_SOCK" ]; then
      export REDIS_URL="unix://$PRIVATE_REDIS_SOCK?db=0"
      return 0
    fi
    sleep 0.05
  done
  echo "$label: redis-server did not start" >&2
  cat "$PRIVATE_REDIS_DIR/redis.log" >&2 2>/dev/null || true
  return 1
}

# private_redis_start_masters LABEL N [REDIS-SERVER ARGUMENTS...]
#
# Starts N more private redis-servers on free loopback TCP ports (each in its own directory
# under one temporary directory, persistence off) for the multi-master benchmarks, and sets
# PRIVATE_REDIS_MASTER_URLS to their redis://127.0.0.1:PORT/0 URLs (a bash array). They are
# stopped by private_redis_stop_masters, which the caller puts in its EXIT trap.
private_redis_start_masters() {
  local label=$1 n=$2 server=${POTTERY_REDIS_SERVER:-redis-server} i port _
  shift 2
  local extra=("$@")
  local base=${TMPDIR:-/tmp}
  PRIVATE_REDIS_MASTERS_DIR=$(mktemp -d "$base/pottery-$label.XXXXXX")
  PRIVATE_REDIS_MASTER_PIDS=()
  PRIVATE_REDIS_MASTER_URLS=()
  local pdeath=()
  if command -v setpriv >/dev/null 2>&1 && setpriv --pdeathsig KILL true 2>/dev/null; then
    pdeath=(setpriv --pdeathsig KILL --)
  fi
  for i in $(seq 1 "$n"); do
    # A port that looked free can be taken before the server binds it (other programs pick
    # free ports too): try again on another one until the server answers.
    local pid up=
    for _ in 1 2 3 4 5; do
      while :; do
        port=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
      done
      mkdir -p "$PRIVATE_REDIS_MASTERS_DIR/$i"
      "${pdeath[@]}" "$server" --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
        --dir "$PRIVATE_REDIS_MASTERS_DIR/$i" --daemonize no --loglevel warning "${extra[@]}" \
        --logfile "$PRIVATE_REDIS_MASTERS_DIR/$i/redis.log" </dev/null >/dev/null 2>&1 &
      pid=$!
      for _ in $(seq 1 200); do
        kill -0 "$pid" 2>/dev/null || break
        if [ "$(redis-cli -p "$port" ping 2>/dev/null || true)" = "PONG" ]; then
          up=1
          break
        fi
        sleep 0.05
      done
      [ -n "$up" ] && break
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    done
    if [ -z "$up" ]; then
      echo "$label: redis-server $i did not start" >&2
      return 1
    fi
    PRIVATE_REDIS_MASTER_PIDS+=("$pid")
    PRIVATE_REDIS_MASTER_URLS+=("redis://127.0.0.1:$port/0")
  done
}

private_redis_stop_masters() {
  local pid
  for pid in "${PRIVATE_REDIS_MASTER_PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PRIVATE_REDIS_MASTER_PIDS=()
  [ -n "${PRIVATE_REDIS_MASTERS_DIR:-}" ] && rm -rf "$PRIVATE_REDIS_MASTERS_DIR"
  PRIVATE_REDIS_MASTERS_DIR=
}

# private_redis_start_cluster LABEL N
#
# Starts N private redis-servers as the masters of one Redis Cluster (every slot assigned,
# no replicas) with private_redis_start_masters, and waits until the cluster says it is ok.
# PRIVATE_REDIS_MASTER_URLS holds the nodes' URLs; private_redis_stop_masters stops them.
private_redis_start_cluster() {
  local label=$1 n=$2 url nodes=() _
  private_redis_start_masters "$label" "$n" --cluster-enabled yes --cluster-config-file nodes.conf || return 1
  for url in "${PRIVATE_REDIS_MASTER_URLS[@]}"; do
    url=${url#redis://}
    nodes+=("${url%/0}")
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-yes >/dev/null || return 1
  for _ in $(seq 1 200); do
    local ok=1 node
    for node in "${nodes[@]}"; do
      redis-cli -h "${node%:*}" -p "${node#*:}" cluster info 2>/dev/null | grep -q 'cluster_state:ok' || ok=
    done
    [ -n "$ok" ] && return 0
    sleep 0.05
  done
  echo "$label: the cluster did not become ok" >&2
  return 1
}
