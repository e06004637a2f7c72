#!/bin/sh
# smoke.sh — CTest's bench_smoke: a few seconds of parley-bench against a spawned parley-server
# (a small fan-out at a fixed low rate, then churn); fails if a message is lost, duplicated or
# reordered or a member cannot join. Nothing here is timed.
#   smoke.sh PARLEY_SERVER PARLEY_BENCH CONFIG WORKDIR
set -u
server=$1 bench=$2 config=$3 work=$4

rm -rf "$work"
mkdir -p "$work"
"$server" --config "$config" --port 0 --data-dir "$work/data" --log-file "$work/server.log" \
  >"$work/out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT

port=""
i=0
while [ $i -lt 100 ] && [ -z "$port" ]; do
  port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$work/out")
  [ -n "$port" ] || sleep 0.1
  i=$((i + 1))
done
if [ -z "$port" ]; then
  echo "smoke: parley-server did not start:" >&2
  cat "$work/out" >&2
  exit 1
fi

rc=0
"$bench" --proto parley --port "$port" --pid "$pid" --label smoke --scenario fanout \
  --members 20 --senders 1,3 --rate 40 --step 1 --half 0.5 --ramp-budget 20 --strict || rc=1
"$bench" --proto parley --port "$port" --pid "$pid" --label smoke --scenario churn \
  --members 5 --churn-rate 20 --churn 1 --ramp-budget 20 --strict || rc=1
"$bench" --proto parley --port "$port" --pid "$pid" --label smoke --scenario idle \
  --conns 50 --ramp-budget 20 --strict || rc=1
[ $rc = 0 ] && echo "smoke: nothing lost, duplicated or reordered"
exit $rc
