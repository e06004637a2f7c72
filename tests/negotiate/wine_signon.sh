#!/usr/bin/env bash
# wine_signon.sh — parley-cli.exe under Wine (SSPI) signs on to a native Linux parley-server
# (GSSAPI) with auth = windows, through the test realm kdc.sh started.
#
#   wine_signon.sh KDC_DIR SERVER WINE_RUN CLI_EXE CACHE EXPECT_REGEX...
#
# SERVER is a native parley-server; it listens on a free loopback port (port = 0, read back from
# its output) with a settings file and data folder inside the realm's folder, and is stopped by
# its own pid at the end. CACHE names the credential cache in KDC_DIR the client uses (alice,
# bob, nobody). Every EXPECT_REGEX (extended) must match a line of the client's output.
set -uo pipefail

kdc=$1 server=$2 wine_run=$3 cli=$4 cache=$5
shift 5
[ -f "$kdc/env" ] || { echo "wine_signon.sh: no realm in $kdc (is the kdc fixture running?)" >&2
                       exit 1; }
set -a
# shellcheck disable=SC1091
. "$kdc/env"
set +a

work=$(mktemp -d "$kdc/wine-signon.XXXXXX")
spid=
cleanup() {
    [ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/server.ini" <<INI
[server]
port = 0
bind = 127.0.0.1
data_dir = $work/data
[security]
auth = windows
secret = wine sign-on test key
iterations = 1000
[signon]
realms = PARLEY.TEST
keytab = FILE:$kdc/server.keytab
auto_create = yes
[log]
file = -
INI

"$server" --config "$work/server.ini" >"$work/server.out" 2>&1 &
spid=$!
port=
for _ in $(seq 1 200); do
    port=$(sed -n 's/^listening on port \([0-9][0-9]*\)$/\1/p' "$work/server.out")
    [ -n "$port" ] && break
    kill -0 "$spid" 2>/dev/null || break
    sleep 0.05
done
[ -n "$port" ] || { echo "wine_signon.sh: the server did not start:" >&2
                    cat "$work/server.out" >&2; exit 1; }

KRB5CCNAME="FILE:$kdc/$cache.cc" PARLEY_KEY="wine sign-on test key" \
    "$wine_run" "$cli" --host 127.0.0.1 --port "$port" --signon-host chat.parley.test \
                --nick ignored --no-reconnect --script </dev/null >"$work/client.out" 2>&1
crc=$?
echo "--- client (exit $crc)"; cat "$work/client.out"
echo "--- server"; cat "$work/server.out"
ok=1
for re in "$@"; do
    grep -Eq -- "$re" "$work/client.out" "$work/server.out" ||
        { echo "wine_signon.sh: no line matches: $re"; ok=0; }
done
[ $ok -eq 1 ] && echo "wine_signon.sh: as expected"
