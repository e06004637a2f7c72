#!/bin/sh
# smoke.sh — CTest's bench_smoke: a few seconds of parley-bench against a spawned parley-server
# (a small fan-out at a fixed low rate, then churn in a room and into the lobby, idle logins
# and the login loop with and without the key exchange), then the login loop against a second
# server with accounts; fails if a message is lost, duplicated or reordered, a member cannot
# join or a login fails.
# Nothing here is timed.
#   smoke.sh PARLEY_SERVER PARLEY_BENCH CONFIG WORKDIR
set -u
server=$1 bench=$2 config=$3 work=$4

rm -rf "$work"
mkdir -p "$work"
"$server" --config "$config" --port 0 --data-dir "$work/data" --log-file "$work/server.log" \
  >"$work/out" 2>&1 &
pid=$!
pid2=""
trap 'kill $pid $pid2 2>/dev/null; wait $pid $pid2 2>/dev/null' EXIT

# Sets port to what the server writing to $1 listens on, or fails the test.
port_of() {
  port=""
  i=0
  while [ $i -lt 100 ] && [ -z "$port" ]; do
    port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$1")
    [ -n "$port" ] || sleep 0.1
    i=$((i + 1))
  done
  if [ -z "$port" ]; then
    echo "smoke: parley-server did not start:" >&2
    cat "$1" >&2
    exit 1
  fi
}
port_of "$work/out"

rc=0
"$bench" --proto parley --port "$port" --pid "$pid" --label smoke --scenario fanout \
  --members 20 --senders 1,3 --rate 40 --step 1 --half 0.5 --ramp-budget 20 --strict || rc=1
"$bench" --proto parley --port "$port" --pid "$pid" --label smoke --scenario churn \
  --members 5 --churn-rate 20 --churn 1 --ramp-budget 20 --strict || rc=1
"$bench" --proto parley --port "$port" --pid "$pid" --label smoke --scenario churn \
  --members 5 --lobby 40 --churn-rate 40 --churn 1 --ramp-budget 20 --strict || rc=1
"$bench" --proto parley --port "$port" --pid "$pid" --label smoke --scenario idle \
  --conns 50 --ramp-budget 20 --strict || rc=1
"$bench" --proto parley --port "$port" --pid "$pid" --label smoke --scenario login \
  --window 4 --logins 100 --ramp-budget 20 --strict || rc=1
"$bench" --proto parley --port "$port" --pid "$pid" --label smoke --scenario login \
  --window 4 --logins 100 --ramp-budget 20 --no-fs --strict || rc=1

# Accounts (the lowest iteration count keeps this quick): every login checks a verifier.
accounts_conf=$(dirname "$config")/parley-accounts.ini
printf 'smoke password\n' >"$work/pw"
for n in 0 1; do
  "$server" --config "$accounts_conf" --data-dir "$work/accounts" --user add "pb$n" \
    --password-file "$work/pw" --iterations 4096 >/dev/null || rc=1
done
"$server" --config "$accounts_conf" --port 0 --data-dir "$work/accounts" \
  --log-file "$work/server2.log" >"$work/out2" 2>&1 &
pid2=$!
port_of "$work/out2"
"$bench" --proto parley --port "$port" --pid "$pid2" --label smoke --scenario login \
  --account pb --password 'smoke password' --window 2 --logins 100 --ramp-budget 20 \
  --strict || rc=1
[ $rc = 0 ] && echo "smoke: nothing lost, duplicated or reordered"
exit $rc
