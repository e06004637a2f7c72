#!/usr/bin/env bash
# login.sh — logins per second of parley-server: starts one server on a loopback port (key
# mode, or auth = accounts with accounts made at --user add's default iterations) and runs
# parley-bench's login scenario against it, optionally with the server under callgrind to count
# its instructions per login (exact on a busy machine, where wall-clock figures are not).
#
#   bench/login.sh [options] SERVER_BIN BENCH_BIN [parley-bench options]
#     --accounts N       auth = accounts; parley-bench logs in as pb0..pbN-1 (N = its slots,
#                        --window; default key mode)
#     --store DIR        keep the accounts' store in DIR (made once: each account costs a
#                        PBKDF2 run and a synced journal write) instead of a fresh temporary one
#     --callgrind OUT    the server under callgrind; one login run warms it up, then its
#                        counters are zeroed and the measured run's counts go into OUT.1:
#                        divide by (warm + done) of that run's RESULT line
#     --cpu N            pin the server to CPU N and parley-bench to the other (taskset)
set -euo pipefail

accounts=0 store="" cg_out="" cpu=""
while [ $# -gt 0 ]; do
  case "$1" in
    --accounts) accounts=$2; shift 2 ;;
    --store) store=$2; shift 2 ;;
    --callgrind) cg_out=$2; shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || { sed -n '2,17p' "$0"; exit 2; }
server=$1 bench=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=listen-wait.sh
. "$root/bench/listen-wait.sh"
work=$(mktemp -d /tmp/parley-login.XXXXXX)
port=$((7900 + RANDOM % 200))
server_pid=""
cleanup() {
  # Only the server started here.
  [ -z "$server_pid" ] || kill -TERM "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

conf=$root/bench/conf/parley.ini
data=$work/data
bench_args=()
if [ "$accounts" -gt 0 ]; then
  conf=$root/bench/conf/parley-accounts.ini
  [ -z "$store" ] || data=$store
  mkdir -p "$data"
  printf 'bench password\n' >"$work/pw"
  have=$("$server" --config "$conf" --data-dir "$data" --user list 2>/dev/null || true)
  for i in $(seq 0 $((accounts - 1))); do
    grep -qw "pb$i" <<<"$have" ||
      "$server" --config "$conf" --data-dir "$data" --user add "pb$i" --password-file "$work/pw" >/dev/null
  done
  bench_args=(--account pb --password 'bench password' --window "$accounts")
fi
# Like run.sh: at a higher priority (nice -10, root only, BENCH_NICE to change) so that other
# processes on a shared machine take less of the CPUs.
srv_pin=() bench_pin=()
if [ "$(id -u)" = 0 ]; then
  srv_pin=(nice -n "${BENCH_NICE:--10}")
  bench_pin=(nice -n "${BENCH_NICE:--10}")
fi
if [ -n "$cpu" ]; then
  srv_pin+=(taskset -c "$cpu")
  bench_pin+=(taskset -c "$((1 - cpu))")
fi
cg=()
[ -z "$cg_out" ] || cg=(valgrind --tool=callgrind --callgrind-out-file="$cg_out")
# nice and taskset exec the server (under valgrind, when asked): valgrind must be the last.
srv_cmd=("${srv_pin[@]}" "${cg[@]}" "$server" --config "$conf" --port "$port" --data-dir "$data"
         --log-file "$work/server.log")
"${srv_cmd[@]}" >"$work/server.out" 2>&1 &
server_pid=$!
listen_wait "$port" || true
run_bench() {
  "${bench_pin[@]}" "$bench" --proto parley --port "$port" --scenario login --pid "$server_pid" \
    --ramp-budget 300 "${bench_args[@]}" "$@"
}
if [ -n "$cg_out" ]; then
  # Warm-up: the crypto provider's lazy set-up and the server's first allocations.
  run_bench "$@" --logins 200 >/dev/null
  callgrind_control -z "$server_pid" >/dev/null
fi
run_bench "$@"
if [ -n "$cg_out" ]; then
  callgrind_control -d "$server_pid" >/dev/null
  echo "login.sh: the server's counts of the measured run are in $cg_out.1" >&2
fi
