#!/usr/bin/env bash
# The full benchmark in one command. A Release build and private redis-servers; then
#   - throughput: every bench/ program that compares libpottery with raw hiredis, through
#     scripts/bench.sh (over TCP loopback and a unix socket; Redlock and NextID over 1 and 5
#     masters; dict routing on a 3-master cluster);
#   - client instructions per operation under callgrind (bench_instructions, TCP);
#   - peak memory while iterating 1,000,000 elements (bench_memory, TCP).
# Prints one table, writes it as Markdown (docs/benchmark.md) with a bar chart of the
# throughput ratios (docs/benchmark.png, gnuplot), and puts the tables into README.md
# between the "benchmark:begin" and "benchmark:end" markers.
#
#   scripts/benchmark.sh
#   scripts/benchmark.sh --tables   only rewrite the outputs from the last run's rows
#
# POTTERY_BENCHMARK_OUT=DIR writes the Markdown and the chart to DIR instead of docs/ and
# leaves README.md alone. The programs' own output goes to build/bench/benchmark.log.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
started=$(date +%s)

BUILD=${POTTERY_BENCH_BUILD_DIR:-build/bench}
export POTTERY_BENCH_BUILD_DIR=$BUILD
OUT=${POTTERY_BENCHMARK_OUT:-docs}
README=README.md
[ -n "${POTTERY_BENCHMARK_OUT:-}" ] && README=
ROWS=$BUILD/benchmark-rows
LOG=$BUILD/benchmark.log
mkdir -p "$BUILD" "$OUT"
# measure: build, run every program, gather the rows in $ROWS/SECTION.tsv; a complete run
# leaves its duration and day in $ROWS/elapsed.
failed=()
measure() {
  rm -rf "$ROWS"
  mkdir -p "$ROWS"
  : >"$LOG"

  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DPOTTERY_BUILD_TESTS=OFF -DPOTTERY_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" >/dev/null

  # Every program that compares libpottery with raw hiredis (bench_pool compares a pool with
  # clients of their own, bench_aio an event loop with blocking calls: scripts/bench.sh runs
  # those).
  throughput=()
  for bench in "$BUILD"/bench/bench_*; do
    [ -x "$bench" ] || continue
    name=$(basename "$bench" | sed 's/^bench_//')
    case "$name" in pool | aio | instructions | memory) continue ;; esac
    throughput+=("$name")
  done
  [ -x "$BUILD/bench/bench_instructions" ] || { echo "benchmark: bench_instructions not built (valgrind/callgrind.h missing)" >&2; exit 1; }

  # run SECTION TRANSPORTS NAME: scripts/bench.sh NAME (its own private servers) with its rows
  # in $ROWS/SECTION.NAME.tsv. A program that fails (a loaded machine can starve a 60 ms
  # lease) runs once more, from scratch; one that fails twice is named in $failed.
  run() {
    local section=$1 transports=$2 name=$3 attempt rows=$ROWS/$1.$3.tsv
    for attempt in 1 2; do
      echo "benchmark: $section: bench_$name" >&2
      rm -f "$rows"
      echo "### bench_$name, attempt $attempt" >>"$LOG"
      if POTTERY_BENCH_ROWS="$PWD/$rows" POTTERY_BENCH_TRANSPORTS=$transports \
        bash scripts/bench.sh "$name" >>"$LOG" 2>&1 && [ -s "$rows" ]; then
        cat "$rows" >>"$ROWS/$section.tsv"
        return 0
      fi
      echo "benchmark: bench_$name failed (attempt $attempt; its output is in $LOG)" >&2
    done
    failed+=("bench_$name")
  }
  for name in "${throughput[@]}"; do run throughput "tcp unix" "$name"; done
  run instructions tcp instructions
  run memory tcp memory
  touch "$ROWS/throughput.tsv" "$ROWS/instructions.tsv" "$ROWS/memory.tsv"
  if [ "${#failed[@]}" -eq 0 ]; then echo "$(($(date +%s) - started)) $(date -u +%Y-%m-%d)" >"$ROWS/elapsed"; fi
}

if [ "${1:-}" = --tables ]; then
  [ -s "$ROWS/elapsed" ] || { echo "benchmark: no rows of a complete run in $ROWS" >&2; exit 1; }
else
  measure
fi
read -r elapsed day < <(cat "$ROWS/elapsed" 2>/dev/null || echo "$(($(date +%s) - started)) $(date -u +%Y-%m-%d)")

# ---- tables ----

# rows SECTION: the section's rows, each program's modules named (bench_coord and
# bench_locks hold several: the operation's first word names it), in the README's order.
rows() {
  awk -F '\t' -v OFS='\t' '
    BEGIN {
      n = split("dict set list counter deque queue rqueue cache cached_ordered_dict bloom hll redlock nextid " \
                "semaphore ratelimit rlock rwlock cluster", names, " ")
      for (i = 1; i <= n; i++) rank[names[i]] = i
    }
    {
      if ($1 == "coord" || $1 == "locks") { $1 = $2; sub(/ .*/, "", $1); sub(/^[^ ]* /, "", $2) }
      if ($1 == "redlock") sub(/^redlock /, "", $2)
      print ($1 in rank ? rank[$1] : 99), NR, $0
    }' "$ROWS/$1.tsv" | sort -t "$(printf '\t')" -k1,1n -k2,2n | cut -f3-
}

# Throughput: one line per operation with the TCP figures (the cluster's, or over several
# masters where that is the setting) and the unix socket's ratio next to TCP's.
throughput_table() {
  rows throughput | awk -F '\t' '
    function fmt(x, t) { t = sprintf("%.2f", x); return t + 0 < 0.9 ? "**" t "**" : t }
    {
      k = $1 "\t" $2
      if (!(k in seen)) { seen[k] = 1; order[++n] = k }
      if ($3 == "unix") unix[k] = $6
      else { pot[k] = $4; raw[k] = $5; ratio[k] = $6; rtt[k] = $7 }
      if (!(k in rtt)) rtt[k] = $7
    }
    END {
      print "| module | operation | libpottery ops/s | hiredis ops/s | ratio | ratio, unix socket | round trips/op |"
      print "|---|---|---:|---:|---:|---:|---:|"
      for (i = 1; i <= n; i++) {
        k = order[i]
        split(k, p, "\t")
        printf "| %s | %s | %s | %s | %s | %s | %.2f |\n", p[1], p[2], (k in pot) ? pot[k] : "-",
          (k in raw) ? raw[k] : "-", (k in ratio) ? fmt(ratio[k]) : "-", (k in unix) ? fmt(unix[k]) : "-", rtt[k]
      }
    }'
}

instructions_table() {
  echo "| module | operation | libpottery instructions/op | hiredis instructions/op | ratio | round trips/op |"
  echo "|---|---|---:|---:|---:|---:|"
  rows instructions | awk -F '\t' '{ printf "| %s | %s | %s | %s | %.2f | %.2f |\n", $1, $2, $4, $5, $6, $7 }'
}

memory_table() {
  echo "| module | operation | libpottery peak growth (MB) | hiredis peak growth (MB) | libpottery round trips |"
  echo "|---|---|---:|---:|---:|"
  rows memory | awk -F '\t' '{
    if ($4 < 0) printf "| %s | %s | - | %.1f | - |\n", $1, $2, $5 / 1024
    else printf "| %s | %s | %.1f | %.1f | %d |\n", $1, $2, $4 / 1024, $5 / 1024, $7
  }'
}

cpu=$(awk -F ': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
redis=$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')
# tables full|short: the three tables, with the explanation of docs/benchmark.md (full) or
# with titles only (short: the README explains the measurement above its copy).
tables() {
  local full=$1
  echo "Measured by \`scripts/benchmark.sh\` on $day, $(nproc) cores (${cpu:-unknown CPU}),"
  echo "redis-server $redis, in $((elapsed / 60)) min $((elapsed % 60)) s."
  echo
  if [ "$full" = full ]; then
    cat <<'EOF'
**Throughput.** Each line runs libpottery and raw hiredis doing the same work with the same
bytes against the same private server, in short alternating rounds; ops/s are the best
round of each side over TCP loopback, the ratio (libpottery / hiredis, target 0.9 or more)
the median of the per-round ratios, over TCP and over a unix socket. Redlock, NextID and
the watchdog run over 1 and over 5 masters (round trips per master), the cluster lines on
a 3-master Redis Cluster.
EOF
  else
    echo "**Throughput** (libpottery / raw hiredis; ops/s over TCP loopback):"
  fi
  echo
  throughput_table
  echo
  echo "Ratios below the 0.9 target are in bold: $(throughput_table | grep -c '[*][*]' || true) of $(($(throughput_table | wc -l) - 2)) lines."
  echo
  if [ "$full" = full ]; then
    cat <<'EOF'
**Client instructions per operation**, counted by callgrind over 2,000 operations (one
master for Redlock; the ratio is hiredis / libpottery: above 1 when libpottery executes
fewer). A count does not change with the machine's load.
EOF
  else
    echo "**Client instructions per operation** (callgrind; ratio hiredis / libpottery):"
  fi
  echo
  instructions_table
  echo
  if [ "$full" = full ]; then
    cat <<'EOF'
**Peak memory while iterating** a 1,000,000-element dict and set: the growth of the peak
resident set of a fresh process iterating the whole key (libpottery's iterator; raw hiredis
looping over the same SCAN command), and for scale raw hiredis reading the key in one reply.
EOF
  else
    echo "**Peak memory while iterating 1,000,000 elements** (growth of the peak RSS):"
  fi
  echo
  memory_table
}

# ---- output: Markdown, chart, README, terminal ----

body=$(tables full)
if [ "${#failed[@]}" -gt 0 ]; then # an incomplete table is shown, not published
  OUT=$BUILD
  README=
fi
{
  echo "# libpottery benchmark"
  echo
  echo "![libpottery / raw hiredis, operations per second](benchmark.png)"
  echo
  echo "$body"
} >"$OUT/benchmark.md"

data=$BUILD/benchmark-ratios.tsv
throughput_table | tr -d '*' | awk -F ' [|] ' 'NR > 2 { r = $5; u = $6; if (r == "-") r = "NaN"; if (u == "-") u = "NaN"; print $1 ": " $2 "\t" r "\t" u }' |
  sed 's/^| //' >"$data"
lines=$(wc -l <"$data")
gnuplot <<EOF
set terminal pngcairo noenhanced size 1100,$((140 + lines * 22)) font "sans,9"
set output "$OUT/benchmark.png"
set datafile separator "\t"
set datafile missing "NaN"
set title "libpottery / raw hiredis, operations per second (median of alternating rounds; target 0.9)"
set xlabel "ratio"
set yrange [$lines:-1]
set ytics nomirror
set xtics 0.1 nomirror
set grid xtics lc rgb "#dddddd"
set key outside bottom center horizontal
set tmargin 4
set bmargin 5
set style fill solid 0.8 noborder
set arrow from 0.9, graph 0 to 0.9, graph 1 nohead front dt 2 lw 2 lc rgb "#c00000"
set label "0.9" at 0.9, graph 1 offset 0.3, 0.8 tc rgb "#c00000"
set xrange [0:*]
plot "$data" using 2:0:(0):2:(\$0-0.4):(\$0):ytic(1) with boxxyerror lc rgb "#3b6fb6" title "TCP loopback", \
     "$data" using 3:0:(0):3:(\$0):(\$0+0.4) with boxxyerror lc rgb "#8fb8e8" title "unix socket"
EOF

if [ -n "$README" ] && grep -q '<!-- benchmark:begin -->' "$README"; then
  readme_body=$(tables short)
  awk -v body="$readme_body" '
    /<!-- benchmark:begin -->/ { print; print ""; print "![libpottery / raw hiredis, operations per second](docs/benchmark.png)"; print ""; print body; print ""; skip = 1; next }
    /<!-- benchmark:end -->/ { skip = 0 }
    !skip' "$README" >"$README.tmp" && mv "$README.tmp" "$README"
fi

# The terminal's table: the Markdown tables aligned.
echo
printf '%s\n' "$body" | awk -F ' [|] ' '
  function flush(   i, j, line) {
    for (i = 1; i <= n; i++) {
      line = ""
      for (j = 1; j <= cols[i]; j++) line = line sprintf(j <= 2 ? "%-*s  " : "%*s  ", width[j], cell[i, j])
      print line
    }
    n = 0; delete width
  }
  /^\|/ {
    if ($0 ~ /^\|---/) next
    s = $0; sub(/^\| /, "", s); sub(/ \|$/, "", s)
    m = split(s, f, / [|] /); n++; cols[n] = m
    for (j = 1; j <= m; j++) { cell[n, j] = f[j]; if (length(f[j]) > width[j]) width[j] = length(f[j]) }
    next
  }
  { if (n) flush(); print }
  END { if (n) flush() }'
echo
echo "benchmark: $OUT/benchmark.md, $OUT/benchmark.png${README:+, $README}; the programs' output: $LOG"
grep -h 'line left out' "$LOG" | sed 's/^/benchmark: note: /' >&2 || true
if [ "${#failed[@]}" -gt 0 ]; then
  echo "benchmark: FAILED: ${failed[*]} (their rows are missing; docs/ and README.md left as they were)" >&2
  exit 1
fi
