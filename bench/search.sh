#!/bin/sh
# search.sh — the search benchmark: a native Release parley-server with a history of MESSAGES
# room messages (1,000,000 by default, in 10 rooms), then
#   1. time to the first page of SEARCH for a mix of queries (p50, p99),
#   2. a 100-member fan-out's latency (parley-bench fanout at a fixed rate), alone,
#   3. the same fan-out while LOADERS clients search back to back (worst and common queries).
# Server on CPU 0, load generators on CPU 1, as bench/run.sh does. Prints RESULT lines; the
# numbers are indicative on a shared machine. Usage: bench/search.sh [MESSAGES] [LOADERS]
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build/bench-native"
MESSAGES=${1:-1000000}
LOADERS=${2:-4}
ROOMS=10
RATE=${BENCH_SEARCH_RATE:-200}       # fan-out messages a second (x 100 members)
SECONDS_PER_RUN=${BENCH_SEARCH_SECONDS:-15}
WORK=$(mktemp -d /tmp/parley-search-bench.XXXXXX)
SERVER_PID=""

cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j2 --target parley-server parley-bench parley-search-bench >/dev/null

echo "# machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"
echo "# filling $MESSAGES messages in $ROOMS rooms"
start=$(date +%s)
"$BUILD/bench/parley-search-bench" fill "$WORK/data" "$MESSAGES" "$ROOMS"
echo "# fill took $(( $(date +%s) - start )) s"

PER_ROOM=$(( (MESSAGES + ROOMS - 1) / ROOMS ))
{
  cat "$ROOT/bench/conf/parley.ini"
  printf '\n[history]\nper_room = %s\nmax_bytes = 1G\n' "$PER_ROOM"
} >"$WORK/parley.ini"

# A free loopback port: ask the kernel for one.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
taskset -c 0 "$BUILD/server/parley-server" --config "$WORK/parley.ini" --port "$PORT" \
  --data-dir "$WORK/data" --log-file "$WORK/server.log" >"$WORK/out" 2>&1 &
SERVER_PID=$!
tries=0
until grep -q "listening on port" "$WORK/out" 2>/dev/null; do
  tries=$((tries + 1))
  [ $tries -lt 600 ] || { echo "server did not start"; cat "$WORK/out"; exit 1; }
  sleep 0.5
done

echo "# 0. indexing what the server restored"
taskset -c 1 "$BUILD/bench/parley-search-bench" first --port "$PORT"
echo "# 1. time to the first page (one searcher; the first search, waiting for the index, is not counted)"
taskset -c 1 "$BUILD/bench/parley-search-bench" search --port "$PORT" --rooms "$ROOMS" --queries 500
echo "# server RSS after indexing: $(grep VmRSS /proc/$SERVER_PID/status | awk '{print $2, $3}')"

fanout() {
  taskset -c 1 "$BUILD/bench/parley-bench" --proto parley --port "$PORT" --pid "$SERVER_PID" \
    --secret "parley-bench secret" --scenario fanout --members 100 --senders 1 \
    --rate "$RATE" --step "$SECONDS_PER_RUN" --label "$1" | grep '^RESULT' || true
}

echo "# 2. 100-member fan-out at $RATE messages/s, no searches"
fanout parley-nosearch

echo "# 3. the same fan-out while $LOADERS clients search back to back"
taskset -c 1 "$BUILD/bench/parley-search-bench" load --port "$PORT" --rooms "$ROOMS" \
  --clients "$LOADERS" --seconds $((SECONDS_PER_RUN + 20)) >"$WORK/load.out" 2>&1 &
LOAD_PID=$!
# The loaders first join the rooms (reading a million replayed messages each): the fan-out
# starts only once every one of them is searching, so that it measures searches, not joins.
waited=0
while [ "$(grep -c ' ready$' "$WORK/load.out" 2>/dev/null || true)" -lt "$LOADERS" ]; do
  waited=$((waited + 1))
  [ $waited -lt 600 ] || { echo "the loaders did not get ready"; cat "$WORK/load.out"; exit 1; }
  sleep 0.5
done
fanout parley-searching
wait "$LOAD_PID" || true
cat "$WORK/load.out"
