#!/usr/bin/env bash
# pair.sh — runs a negotiate-probe client against a negotiate-probe server, each one's stdout
# into the other's stdin, and checks how each ended.
#
#   pair.sh KDC_DIR EXPECT_CLIENT EXPECT_SERVER [--match REGEX]... -- CLIENT... -- SERVER...
#
# KDC_DIR is the realm kdc.sh started (its env file is sourced). EXPECT_* is the exit status
# each side must end with (0 signed on, 1 failed). Every --match REGEX (extended) must match a
# line of the two sides' combined reports. A command may start with VAR=value words, which are
# set for that side only (e.g. KRB5CCNAME=... for the client, KRB5_KTNAME=... for the server).
set -uo pipefail

kdc=$1 want_client=$2 want_server=$3
shift 3
matches=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    case "$1" in
    --match) matches+=("$2"); shift 2 ;;
    *) echo "pair.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ "${1:-}" = "--" ] || { echo "pair.sh: missing -- CLIENT" >&2; exit 2; }
shift
client=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do client+=("$1"); shift; done
[ "${1:-}" = "--" ] || { echo "pair.sh: missing -- SERVER" >&2; exit 2; }
shift
server=("$@")
[ ${#client[@]} -gt 0 ] && [ ${#server[@]} -gt 0 ] || { echo "pair.sh: empty command" >&2; exit 2; }
[ -f "$kdc/env" ] || { echo "pair.sh: no realm in $kdc (is the kdc fixture running?)" >&2; exit 1; }
set -a
# shellcheck disable=SC1091
. "$kdc/env"
set +a

# Inside the realm's folder, so that even a pair killed by a timeout leaves nothing behind once
# kdc.sh stop removes that folder.
out=$(mktemp -d "$kdc/pair.XXXXXX")
trap 'rm -rf "$out"' EXIT

# Two FIFOs; each side opens the one it writes after the one it reads in the same order as
# the other, so neither open waits forever.
mkfifo "$out/c2s" "$out/s2c"
env "${server[@]}" <"$out/c2s" >"$out/s2c" 2>"$out/server.err" &
spid=$!
env "${client[@]}" >"$out/c2s" <"$out/s2c" 2>"$out/client.err"
crc=$?
wait "$spid"
src=$?

sed 's/^/  /' "$out/client.err" "$out/server.err"
echo "pair.sh: client exited $crc (want $want_client), server exited $src (want $want_server)"
ok=1
[ "$crc" -eq "$want_client" ] || ok=0
[ "$src" -eq "$want_server" ] || ok=0
for m in "${matches[@]}"; do
    if grep -Eq -- "$m" "$out/client.err" "$out/server.err"; then
        echo "pair.sh: found /$m/"
    else
        echo "pair.sh: MISSING /$m/"
        ok=0
    fi
done
[ $ok -eq 1 ] && echo "pair.sh: as expected" || echo "pair.sh: NOT as expected"
[ $ok -eq 1 ]
