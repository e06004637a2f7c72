#!/usr/bin/env bash
# run.sh — the side-by-side benchmark in one command: builds parley-bench and both parley-server
# builds, installs the IRC peers if missing, runs every scenario against each server (pinned to
# CPU 0, the load generator to CPU 1, loopback only) and writes bench/results/<date>-<host>.md.
#
#   bench/run.sh [--quick] [--servers parley,parley-xor,wine,ngircd,inspircd] [--out FILE] [--no-build]
#   bench/run.sh --report RAWFILE [--notes FILE] [--out FILE]
#       only rewrite the tables from saved RESULT lines (and add a hand-written analysis)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/bench"
CMDLINE="bench/run.sh $*"
QUICK=0
SERVERS=""
OUT=""
BUILD=1
REPORT_ONLY=""
NOTES=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --servers) SERVERS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --no-build) BUILD=0 ;;
    --report) REPORT_ONLY="$2"; BUILD=0; shift ;;
    --notes) NOTES="$2"; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

NATIVE_BUILD="$ROOT/build/bench-native"
MINGW_BUILD="$ROOT/build/bench-mingw"
WORK=$(mktemp -d /tmp/parley-bench.XXXXXX)
RAW="$WORK/results.raw"
LOG="$WORK/run.log"
: >"$RAW"
export WINEPREFIX="$ROOT/build/bench-wineprefix"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
export WINEARCH=win64
WINESERVER_PID=""
SERVER_PID=""
T_START=$(date +%s)

say() { echo "[run.sh $(( $(date +%s) - T_START ))s] $*" >&2; }

# ---------------------------------------------------------------- scenario sizes
if [ "$QUICK" = 1 ]; then
  MODE="quick"
  [ -n "$SERVERS" ] || SERVERS="parley,wine,ngircd,inspircd"
  IDLE_SIZES="1000"
  BIG_IDLE=""
  FAN_SIZES="500"
  SENDERS="1"
  STEP=0.5; HALF=1; MAX_STEPS=6; SLOW=5
  CHURN_BASE=30; CHURN_RATE=50; CHURN_SECS=2
  LOBBY=500; LOBBY_RATE=200; LOBBY_ROOM=100; LOBBY_SECS=2
  LOGINS=2000; LOGIN_ACCOUNTS=8
  RAMP_BUDGET=10
  BENCH_QUIET=0
  QUIET_WAIT=0
  QUIET_TOTAL=0
else
  MODE="full"
  [ -n "$SERVERS" ] || SERVERS="parley,parley-xor,wine,ngircd,inspircd"
  IDLE_SIZES="1000 5000 10000"
  # Native Parley alone also holds 100,000 idle logins (issue 17); the others stop at 10,000.
  BIG_IDLE="100000"
  FAN_SIZES="10 100 1000 5000"
  SENDERS="1,10"
  STEP=1.2; HALF=3; MAX_STEPS=9; SLOW=25
  CHURN_BASE=100; CHURN_RATE=100; CHURN_SECS=15
  # Issue 17: 1,000 logins/s into a 5,000-member lobby while a 1,000-member room talks.
  LOBBY=5000; LOBBY_RATE=1000; LOBBY_ROOM=1000; LOBBY_SECS=10
  LOGINS=20000; LOGIN_ACCOUNTS=64
  RAMP_BUDGET=60
  BENCH_QUIET=10
  QUIET_WAIT=${BENCH_QUIET_WAIT:-60}
  # All the gates of a run together wait at most this long, so the run stays within 30 minutes.
  QUIET_TOTAL=${BENCH_QUIET_TOTAL:-180}
fi
START_DPS=50000
# Slow consumers: 100 members, one sender at 1000 messages/s of 400-byte texts (about 100,000
# deliveries/s, within every server's reach), 10 of them stop reading. 400 bytes so that what
# they owe outgrows the kernel's socket buffers (about 4 MB each) within the phase.
SLOW_MEMBERS=100; SLOW_RATE=1000; SLOW_TEXT=400
# For a partial run (e.g. to redo one room size): space-separated lists, "" to skip; and
# BENCH_SLOW=0, BENCH_CHURN=0, BENCH_LOGIN=0, BENCH_LOBBY=0 to skip those scenarios.
IDLE_SIZES=${BENCH_IDLE_SIZES-$IDLE_SIZES}
BIG_IDLE=${BENCH_BIG_IDLE-$BIG_IDLE}
FAN_SIZES=${BENCH_FAN_SIZES-$FAN_SIZES}
CHURN=${BENCH_CHURN-1}
LOBBY_SCENARIO=${BENCH_LOBBY-1}
SLOW_SCENARIO=${BENCH_SLOW-1}
LOGIN_SCENARIO=${BENCH_LOGIN-1}

# ---------------------------------------------------------------- clean-up
stop_pid() { # pid: TERM, then KILL after 5 s; only processes this script started
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
OLD_BACKLOG=""
cleanup() {
  stop_pid "$SERVER_PID"
  stop_wineserver
  if [ -n "$OLD_BACKLOG" ]; then sysctl -qw net.core.netdev_max_backlog="$OLD_BACKLOG" || true; fi
}
stop_wineserver() {
  [ -n "$WINESERVER_PID" ] || return 0
  # First let our wineserver end Wine's helper processes of this prefix (services.exe,
  # winedevice.exe...): killed first, it would leave them behind as orphans.
  wineserver -k >/dev/null 2>&1 || true
  stop_pid "$WINESERVER_PID"
  WINESERVER_PID=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- build and install
# Runs a build step with its output in the log; on failure says so with the log's last lines
# and stops the run, rather than ending silently with the reason only in the log.
build_step() {
  if ! "$@" >>"$LOG" 2>&1; then
    say "build failed: $*"
    tail -n 20 "$LOG" >&2
    exit 1
  fi
}
# Configures dir (Release) unless it is configured already: with Ninja for a new one, and with
# whatever generator an existing one was made with (cmake refuses to switch generators).
configure() {
  local dir=$1
  shift
  if [ -f "$dir/CMakeCache.txt" ]; then
    build_step cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@"
  else
    build_step cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
  fi
}
if [ "$BUILD" = 1 ]; then
  say "building parley-bench and parley-server (native) in $NATIVE_BUILD"
  configure "$NATIVE_BUILD"
  build_step cmake --build "$NATIVE_BUILD" --target parley-bench parley-server
  if [[ ",$SERVERS," == *",wine,"* ]]; then
    say "building parley-server.exe (MinGW) in $MINGW_BUILD"
    configure "$MINGW_BUILD" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-mingw64.cmake"
    build_step cmake --build "$MINGW_BUILD" --target parley-server
  fi
fi
BENCH_BIN="$NATIVE_BUILD/bench/parley-bench"
PARLEY_BIN="$NATIVE_BUILD/server/parley-server"
PARLEY_EXE="$MINGW_BUILD/server/parley-server.exe"

need_pkgs=""
[[ ",$SERVERS," == *",ngircd,"* ]] && ! command -v ngircd >/dev/null && need_pkgs+=" ngircd"
[[ ",$SERVERS," == *",inspircd,"* ]] && ! command -v inspircd >/dev/null && need_pkgs+=" inspircd"
[[ ",$SERVERS," == *",wine,"* ]] && ! command -v wine >/dev/null && need_pkgs+=" wine wine64"
if [ -n "$need_pkgs" ]; then
  say "installing$need_pkgs"
  apt-get update -qq >>"$LOG" 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_pkgs >>"$LOG" 2>&1
fi
# The Debian packages may start their own daemon on a system with an init; ours use other ports.

# Loopback packets wait in a per-CPU backlog of net.core.netdev_max_backlog (1000 by default);
# a server writing to a thousand sockets in one go overflows it, and each dropped packet costs
# a TCP retransmission timeout (200 ms and up), which is noise, not the server. Raised for the
# run (every server alike) and put back afterwards.
if [ -z "$REPORT_ONLY" ] && [ -w /proc/sys/net/core/netdev_max_backlog ]; then
  OLD_BACKLOG=$(sysctl -n net.core.netdev_max_backlog)
  [ "$OLD_BACKLOG" -ge 100000 ] 2>/dev/null && OLD_BACKLOG="" ||
    sysctl -qw net.core.netdev_max_backlog=100000 || OLD_BACKLOG=""
fi

# Every connection is a descriptor in the server and another in parley-bench (each process
# has its own limit, inherited from this shell). The largest scenario needs its size plus room
# for listeners, logs, epoll and Wine's own handles; the soft limit is raised to that, and the
# hard limit too when we may (root, up to fs.nr_open). Ephemeral ports are not a limit: 16
# source addresses each have the whole local port range toward the one server port.
LIMITS_NOTE=""
FD_ROOM=0 # the most connections one process can hold under the limit in force
raise_fd_limit() {
  local biggest=0 n need hard
  for n in $IDLE_SIZES $BIG_IDLE $FAN_SIZES $((CHURN_BASE + 3 * CHURN_RATE)) \
    $((LOBBY + LOBBY_ROOM + 3 * LOBBY_RATE)) $SLOW_MEMBERS; do
    [ "$n" -gt "$biggest" ] && biggest=$n
  done
  need=$((biggest + 4096))
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$need" ]; then
    ulimit -Hn "$need" 2>/dev/null || true
    hard=$(ulimit -Hn)
  fi
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$need" ]; then
    say "open files: need $need for $biggest connections, hard limit $hard and this shell may not raise it (it needs root with CAP_SYS_RESOURCE: 'ulimit -Hn $need', or /etc/security/limits.conf); idle scenarios above $((hard - 4096)) connections are skipped"
    need=$hard
  fi
  [ "$(ulimit -Sn)" = unlimited ] || [ "$(ulimit -Sn)" -ge "$need" ] || ulimit -Sn "$need"
  FD_ROOM=$(( $(ulimit -Sn | sed 's/unlimited/1000000000/') - 4096 ))
  LIMITS_NOTE="open files $(ulimit -Sn) (soft) / $(ulimit -Hn) (hard) for $biggest connections per process; fs.nr_open $(cat /proc/sys/fs/nr_open 2>/dev/null || echo ?), fs.file-max $(cat /proc/sys/fs/file-max 2>/dev/null || echo ?), local ports $(tr '\t' '-' </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo ?)"
}
if [ -z "$REPORT_ONLY" ]; then
  raise_fd_limit
  say "limits: $LIMITS_NOTE"
fi

# ---------------------------------------------------------------- servers
PORT=7800
next_port() { PORT=$((PORT + 1)); }

# The machine may be shared (other builds, tests, fuzzers). Servers and parley-bench run at a
# higher priority (nice -10, root only) so that others' processes take less of their two CPUs;
# whatever they still take is measured per step and reported ("others_cpu").
PRIO=""
if [ "$(id -u)" = 0 ]; then PRIO="nice -n ${BENCH_NICE:--10}"; fi

wait_listening() { # port: up to 20 s
  local i
  for i in $(seq 1 200); do
    if ss -ltn "sport = :$1" 2>/dev/null | grep -q LISTEN; then return 0; fi
    sleep 0.1
  done
  return 1
}

# Starts server $1 on a new port in the background; sets SERVER_PID, PID2, PROTO, WINDOW.
start_server() {
  local kind=$1 dir
  wait_quiet "$kind"
  next_port
  dir="$WORK/$kind-$PORT"
  mkdir -p "$dir"
  PID2=0
  CIPHER=aes-256-gcm
  case "$kind" in
    parley|parley-xor|parley-accounts)
      # parley-xor: the same server, with clients choosing the classic xor cipher: one ciphered
      # copy of a room message serves every member, as plain text does for IRC.
      # parley-accounts: auth = accounts, with the store of accounts made by make_accounts.
      local conf=$BENCH/conf/parley.ini data=$dir/data
      PROTO=parley; WINDOW=200
      [ "$kind" = parley-xor ] && CIPHER=xor
      if [ "$kind" = parley-accounts ]; then conf=$BENCH/conf/parley-accounts.ini data=$ACCOUNTS_DIR; fi
      $PRIO taskset -c 0 "$PARLEY_BIN" --config "$conf" --port "$PORT" \
        --data-dir "$data" --log-file "$dir/server.log" >"$dir/out" 2>&1 &
      SERVER_PID=$! ;;
    wine)
      PROTO=parley; WINDOW=200
      # The server's process is the Wine loader that `wine` becomes; wineserver does every
      # socket call's bookkeeping, so its memory and CPU are counted too (PID2).
      $PRIO taskset -c 0 wine "$PARLEY_EXE" --config "Z:$BENCH/conf/parley.ini" --port "$PORT" \
        --data-dir "Z:$dir/data" --log-file "Z:$dir/server.log" </dev/null >"$dir/out" 2>&1 &
      SERVER_PID=$!
      PID2=$WINESERVER_PID ;;
    ngircd)
      # ngIRCd listens with a backlog of 10: more connects in flight than that overflow it and
      # wait for SYN retransmits (1 s, 3 s...), which is what made its ramp look like a dozen
      # logins a second. Eight in flight keeps it at its real speed.
      PROTO=irc; WINDOW=8
      sed -e "s/@PORT@/$PORT/" -e "s#@RUNDIR@#$dir#" "$BENCH/peers/ngircd.conf" >"$dir/ngircd.conf"
      $PRIO taskset -c 0 ngircd --nodaemon --config "$dir/ngircd.conf" >"$dir/out" 2>&1 &
      SERVER_PID=$! ;;
    inspircd)
      # InspIRCd completes registrations on its once-a-second timer, so each login takes up to
      # a second whatever the load: many in flight is the only way to ramp quickly.
      PROTO=irc; WINDOW=2000
      sed -e "s/@PORT@/$PORT/" -e "s#@RUNDIR@#$dir#" "$BENCH/peers/inspircd.conf" >"$dir/inspircd.conf"
      $PRIO taskset -c 0 inspircd --config "$dir/inspircd.conf" --nofork --nopid --runasroot \
        >"$dir/out" 2>&1 &
      SERVER_PID=$! ;;
  esac
  if ! wait_listening "$PORT"; then
    say "$kind did not start listening on $PORT; see $dir/out"
    tail -5 "$dir/out" >&2 || true
    stop_pid "$SERVER_PID"; SERVER_PID=""
    return 1
  fi
  sleep 0.3
}

# Share of both CPUs busy over half a second, in percent (/proc/stat: all but idle and iowait).
busy_pct() {
  local a b
  a=$(head -1 /proc/stat); sleep 0.5; b=$(head -1 /proc/stat)
  echo "$a $b" | awk '{b1=$2+$3+$4+$7+$8+$9; t1=b1+$5+$6; b2=$13+$14+$15+$18+$19+$20;
                       t2=b2+$16+$17; printf "%d", (t2 > t1) ? 100 * (b2 - b1) / (t2 - t1) : 0}'
}

# Before each server start: wait (at most QUIET_WAIT s) until other work on the machine leaves
# both CPUs at least 75 % idle. What was seen goes into the raw results as a comment line.
wait_quiet() {
  local waited=0 pct
  [ "$QUIET_WAIT" -gt 0 ] || return 0 # the quick run has no time to spare
  pct=$(busy_pct)
  while [ "$pct" -gt 25 ] && [ "$waited" -lt "$QUIET_WAIT" ] && [ "$QUIET_TOTAL" -gt 0 ]; do
    sleep 2; waited=$((waited + 3)); QUIET_TOTAL=$((QUIET_TOTAL - 3)); pct=$(busy_pct)
  done
  echo "# background before $1: ${pct}% busy after waiting ${waited}s" >>"$RAW"
  [ "$pct" -le 25 ] || say "machine still ${pct}% busy with other work after ${waited}s; going on"
}

stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=""
}

start_wineserver() {
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    say "creating the Wine prefix $WINEPREFIX (once)"
    mkdir -p "$WINEPREFIX"
    wineboot -i </dev/null >>"$LOG" 2>&1 || true
    wineserver -k >>"$LOG" 2>&1 || true
    sleep 1
  fi
  # Our own persistent wineserver, in the foreground so that we know its pid, on the server's CPU.
  $PRIO taskset -c 0 wineserver -f -p </dev/null >>"$LOG" 2>&1 &
  WINESERVER_PID=$!
  sleep 0.5
}

bench() { # label, then parley-bench arguments
  local label=$1; shift
  $PRIO taskset -c 1 "$BENCH_BIN" --proto "$PROTO" --port "$PORT" --pid "$SERVER_PID" --pid2 "$PID2" \
    --cipher "$CIPHER" --label "$label" --window "$WINDOW" --ramp-budget "$RAMP_BUDGET" \
    --quiet-budget "$BENCH_QUIET" --verbose "$@" 2>>"$LOG" |
    tee -a "$RAW" | cut -c1-160 >&2 || true
}

# Accounts pb0..pb(LOGIN_ACCOUNTS-1) for the login scenario, made once per run with
# `parley-server --user add` at its default iterations (each is a PBKDF2 run and a synced write).
ACCOUNTS_DIR=""
make_accounts() {
  local i
  [ -z "$ACCOUNTS_DIR" ] || return 0
  ACCOUNTS_DIR="$WORK/accounts"
  mkdir -p "$ACCOUNTS_DIR"
  printf 'bench password\n' >"$WORK/accounts.pw"
  for i in $(seq 0 $((LOGIN_ACCOUNTS - 1))); do
    "$PARLEY_BIN" --config "$BENCH/conf/parley-accounts.ini" --data-dir "$ACCOUNTS_DIR" \
      --user add "pb$i" --password-file "$WORK/accounts.pw" >>"$LOG" 2>&1 || return 1
  done
}

# Logins per second of native Parley: key mode and accounts, each with and without the key
# exchange. Labelled "parley", so the rows sit in Parley's column.
run_logins() {
  local fs
  for fs in "" --no-fs; do
    say "parley: logins, key mode, $([ -n "$fs" ] && echo without || echo with) the exchange"
    start_server parley || continue
    bench parley --scenario login --logins "$LOGINS" --window 32 $fs
    stop_server
  done
  say "parley: making $LOGIN_ACCOUNTS accounts"
  make_accounts || { say "parley: could not make the accounts (see $LOG)"; return 0; }
  for fs in "" --no-fs; do
    say "parley: logins, accounts, $([ -n "$fs" ] && echo without || echo with) the exchange"
    start_server parley-accounts || continue
    bench parley --scenario login --logins "$LOGINS" --window "$LOGIN_ACCOUNTS" \
      --account pb --password 'bench password' $fs
    stop_server
  done
}

# ---------------------------------------------------------------- the runs
run_server() {
  local kind=$1 n m
  if [ "$kind" = wine ]; then start_wineserver; fi
  local idle_sizes=$IDLE_SIZES
  [ "$kind" != parley ] || idle_sizes="$IDLE_SIZES $BIG_IDLE"
  for n in $idle_sizes; do
    if [ "$n" -gt "$FD_ROOM" ]; then
      say "$kind: idle $n skipped: the open-files limit leaves room for $FD_ROOM connections"
      echo "# skipped: $kind idle $n (open-files limit $(ulimit -Sn) leaves room for $FD_ROOM connections)" >>"$RAW"
      continue
    fi
    say "$kind: idle $n"
    start_server "$kind" || continue
    bench "$kind" --scenario idle --conns "$n"
    stop_server
  done
  for m in $FAN_SIZES; do
    say "$kind: fan-out $m members, senders $SENDERS"
    start_server "$kind" || continue
    bench "$kind" --scenario fanout --members "$m" --senders "$SENDERS" --step "$STEP" \
      --half "$HALF" --max-steps "$MAX_STEPS" --start-dps "$START_DPS"
    stop_server
  done
  if [ "$SLOW_SCENARIO" = 1 ]; then
    say "$kind: slow consumers"
    if start_server "$kind"; then
      bench "$kind" --scenario slow --members "$SLOW_MEMBERS" --slow-pct 10 --rate "$SLOW_RATE" \
        --text-len "$SLOW_TEXT" --half "$HALF" --slow "$SLOW"
      stop_server
    fi
  fi
  if [ "$kind" = parley ] && [ "$LOGIN_SCENARIO" = 1 ]; then run_logins; fi
  if [ "$CHURN" = 1 ]; then
    say "$kind: churn"
    if start_server "$kind"; then
      bench "$kind" --scenario churn --members "$CHURN_BASE" --churn-rate "$CHURN_RATE" \
        --churn "$CHURN_SECS"
      stop_server
    fi
  fi
  # Logins into a big lobby while another room talks (Parley only: IRC has no lobby).
  if [ "$kind" = parley ] && [ "$LOBBY_SCENARIO" = 1 ]; then
    say "$kind: $LOBBY_RATE logins/s into a $LOBBY-member lobby"
    if start_server "$kind"; then
      bench "$kind" --scenario churn --members "$LOBBY_ROOM" --lobby "$LOBBY" \
        --churn-rate "$LOBBY_RATE" --churn "$LOBBY_SECS" --rate 20
      stop_server
    fi
  fi
  if [ "$kind" = wine ]; then stop_wineserver; fi
}

IFS=',' read -r -a server_list <<<"$SERVERS"
if [ -n "$REPORT_ONLY" ]; then
  cat "$REPORT_ONLY" >"$RAW"
  server_list=()
else
  envs=$(env | grep '^BENCH_' | sort | sed "s/=\(.*\)/='\1'/" | tr '\n' ' ' || true)
  rev=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')
  (cd "$ROOT" && git diff --quiet HEAD -- server common client 2>/dev/null) || rev="$rev+local changes"
  echo "# command: $envs$CMDLINE ($MODE run, tree $rev, started $(date -u '+%Y-%m-%d %H:%M UTC'))" >>"$RAW"
  echo "# limits: $LIMITS_NOTE; net.core.netdev_max_backlog $(sysctl -n net.core.netdev_max_backlog 2>/dev/null || echo '?')" >>"$RAW"
fi
for kind in "${server_list[@]}"; do
  case "$kind" in
    parley|parley-xor|wine|ngircd|inspircd) run_server "$kind" ;;
    *) say "unknown server $kind (parley, parley-xor, wine, ngircd, inspircd)" ;;
  esac
done

# ---------------------------------------------------------------- the report
HOST=$(hostname -s 2>/dev/null || hostname)
DATE=$(date -u +%Y-%m-%d)
[ -n "$OUT" ] || OUT="$BENCH/results/$DATE-$HOST.md"
mkdir -p "$(dirname "$OUT")"
[ -n "$REPORT_ONLY" ] || echo "# took $(( $(date +%s) - T_START )) s" >>"$RAW"
{
  echo "# parley-bench results: $DATE on $HOST"
  echo
  echo "Produced by (raw RESULT lines at the end):"
  echo
  { grep -E '^# (command|limits|skipped|took)' "$RAW" || true; } | sed 's/^# /    /'
  echo
  awk '/^# background/ { x = $5; sub("%", "", x); x += 0; n++; sum += x; if (x > max) max = x; if (x > 25) busy++ }
       END { if (n) printf "Other work on the machine before each server start: %.0f %% of both CPUs busy on average, %d %% at most; %d of %d starts found it over 25 %% busy (after waiting up to the limit).\n\n", sum / n, max, busy, n }' "$RAW"
  echo "## Machine"
  echo
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores; servers pinned to CPU 0, parley-bench to CPU 1"
  echo "- Memory: $(free -m | awk '/^Mem:/ {print $2 " MiB"}'); kernel $(uname -r); $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "- Parley: Release builds of the tree named with each command above; $("$PARLEY_BIN" --version 2>/dev/null | head -1); cipher aes-256-gcm (the default) unless marked xor"
  echo "- Wine: $(wine --version 2>/dev/null || echo none); ngIRCd: $(ngircd --version 2>/dev/null | head -1 | cut -d- -f1 || echo none); InspIRCd: $(inspircd --version 2>/dev/null | head -1 || echo none)"
  echo "- Configs: bench/conf/parley.ini, bench/peers/ngircd.conf, bench/peers/inspircd.conf; net.core.netdev_max_backlog as on the limits line above (run.sh raises it to 100000 for a run when it may)"
  echo
  awk -v mode="$MODE" -f "$BENCH/report.awk" "$RAW"
  echo
  if [ -n "$NOTES" ]; then cat "$NOTES"; echo; fi
  echo "## Raw results"
  echo
  echo '```'
  cat "$RAW"
  echo '```'
} >"$OUT"
say "wrote $OUT"
