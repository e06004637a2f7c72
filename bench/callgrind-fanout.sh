#!/usr/bin/env bash
# callgrind-fanout.sh — instructions per delivery of parley-server or of parley-bench in a
# fan-out, counted by callgrind: exact and repeatable on a shared, busy machine, where
# wall-clock CPU figures are not. User space only (the kernel's socket work is not counted).
#
#   bench/callgrind-fanout.sh server|bench OUT SERVER_BIN BENCH_BIN [parley-bench options]
#
# One process (the server, or parley-bench) runs under callgrind, the other natively, on a
# loopback port. It runs uninstrumented (faster) until the room is full (parley-bench's
# "phase=ramp" line); then its counters are zeroed and instrumentation starts, so only the
# fan-out is counted: the server's counts are dumped into OUT.1 once
# parley-bench has printed its "phase=total" line and ended; parley-bench's are in OUT when it
# ends. Divide "PROGRAM TOTALS" (callgrind_annotate) by the deliveries of the total line. Use
# a low fixed rate (--rate 5): the process under callgrind runs about 50 times slower.
# CG_OPTS adds callgrind options, e.g. CG_OPTS=--cache-sim=yes for cache misses per delivery.
set -euo pipefail

[ $# -ge 4 ] || { sed -n '2,12p' "$0"; exit 2; }
who=$1 out=$2 server=$3 bench=$4
shift 4
case "$who" in server|bench) ;; *) echo "callgrind-fanout.sh: server or bench, not $who" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=listen-wait.sh
. "$root/bench/listen-wait.sh"
work=$(mktemp -d /tmp/parley-callgrind.XXXXXX)
port=$((7700 + RANDOM % 200))
server_pid="" bench_pid="" keep_work=0
cleanup() {
  # Only the processes started here.
  [ -z "$bench_pid" ] || kill -TERM "$bench_pid" 2>/dev/null || true
  [ -z "$server_pid" ] || kill -TERM "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  [ "$keep_work" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

# shellcheck disable=SC2206 # CG_OPTS is a list of options
cg=(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" ${CG_OPTS:-})
srv_cmd=("$server" --config "$root/bench/conf/parley.ini" --port "$port" --data-dir "$work/data"
         --log-file "$work/server.log")
if [ "$who" = server ]; then srv_cmd=("${cg[@]}" "${srv_cmd[@]}"); fi
"${srv_cmd[@]}" >"$work/server.out" 2>&1 &
server_pid=$!
listen_wait "$port" || true

bench_cmd=("$bench" --proto parley --port "$port" --scenario fanout --p99-limit 100000
           --ramp-budget 120 "$@")
if [ "$who" = bench ]; then bench_cmd=("${cg[@]}" "${bench_cmd[@]}"); fi
"${bench_cmd[@]}" >"$work/results" 2>"$work/bench.err" &
bench_pid=$!
target=$server_pid
[ "$who" = server ] || target=$bench_pid
state=0
while kill -0 "$bench_pid" 2>/dev/null; do
  if [ $state = 0 ] && grep -q 'phase=ramp' "$work/results"; then
    callgrind_control -z "$target" >/dev/null
    callgrind_control -i on "$target" >/dev/null
    state=1
  fi
  sleep 0.05
done
wait "$bench_pid" || true
bench_pid=""
cat "$work/results"
if [ $state = 0 ] || ! grep -q 'phase=total' "$work/results"; then
  echo "callgrind-fanout.sh: the fan-out did not complete; see $work" >&2
  keep_work=1
  exit 1
fi
if [ "$who" = server ]; then
  # The server is still up: its counts since the room was full go into OUT.1.
  callgrind_control -d "$server_pid" >/dev/null
  echo "callgrind-fanout.sh: the server's counts of the fan-out are in $out.1" >&2
else
  # parley-bench has ended: OUT holds its counts since the room was full.
  echo "callgrind-fanout.sh: parley-bench's counts of the fan-out are in $out" >&2
fi
