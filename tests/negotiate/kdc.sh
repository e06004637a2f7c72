#!/usr/bin/env bash
# kdc.sh — a real, throwaway MIT Kerberos realm (PARLEY.TEST) for the sign-on tests: a KDC on a
# loopback port, its database, keytabs and credential caches all inside one folder.
#
#   kdc.sh start DIR   creates DIR afresh, starts krb5kdc, writes DIR/env (the settings to source)
#   kdc.sh stop DIR    stops that KDC and removes DIR
#
# Principals: alice and bob (users, keys in DIR/alice.keytab, DIR/bob.keytab, caches
# DIR/alice.cc, DIR/bob.cc from kinit; DIR/alice-tgt.cc and DIR/alice-svc.cc, see below),
# PARLEY/chat.parley.test (the service, its key in DIR/server.keytab) and
# PARLEY/other.parley.test (a service the KDC knows but whose key the server does not have).
# DIR/ntlm.users holds an NTLM user, PARLEY\carol, for gss-ntlmssp (NTLM_USER_FILE).
# Nothing is written outside DIR; the KDC listens on 127.0.0.1 only.
set -euo pipefail

REALM=PARLEY.TEST
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: kdc.sh start|stop DIR" >&2; exit 2; }
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac

find_tool() {
    local t
    t=$(command -v "$1" 2>/dev/null || true)
    [ -n "$t" ] || for p in /usr/sbin /sbin /usr/bin; do [ -x "$p/$1" ] && t="$p/$1" && break; done
    [ -n "$t" ] || { echo "kdc.sh: $1 not found (cmake/install-deps.sh installs krb5-kdc," \
                          "krb5-admin-server and krb5-user)" >&2; exit 1; }
    echo "$t"
}

stop() {
    if [ -f "$dir/kdc.pid" ]; then
        local pid
        pid=$(cat "$dir/kdc.pid")
        # Only the KDC this script started: its pid file lives in our own folder.
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
    fi
    # Remove only what this script made: the marker file says the folder is ours.
    if [ -f "$dir/.parley-kdc" ]; then rm -rf "$dir"; fi
}

write_config() {
    local port=$1
    cat > "$dir/krb5.conf" <<EOF
[libdefaults]
    default_realm = $REALM
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    kdc_timesync = false
    udp_preference_limit = 1
    default_ccache_name = FILE:$dir/default.cc
[realms]
    $REALM = {
        kdc = 127.0.0.1:$port
    }
[domain_realm]
    .parley.test = $REALM
    parley.test = $REALM
EOF
    cat > "$dir/kdc.conf" <<EOF
[kdcdefaults]
    kdc_listen = 127.0.0.1:$port
    kdc_tcp_listen = 127.0.0.1:$port
[realms]
    $REALM = {
        database_name = $dir/db/principal
        key_stash_file = $dir/db/stash
        acl_file = $dir/kadm5.acl
        max_life = 10h
        max_renewable_life = 0
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    }
[logging]
    kdc = FILE:$dir/kdc.log
    admin_server = FILE:$dir/kadmin.log
    default = FILE:$dir/krb5lib.log
EOF
}

start() {
    local krb5kdc kdb5_util kadmin kinit kvno port pid ok
    krb5kdc=$(find_tool krb5kdc)
    kdb5_util=$(find_tool kdb5_util)
    kadmin=$(find_tool kadmin.local)
    kinit=$(find_tool kinit)
    kvno=$(find_tool kvno)
    stop
    [ ! -e "$dir" ] || { echo "kdc.sh: $dir exists and is not a test realm; not touching it" >&2
                         exit 1; }
    mkdir -p "$dir/db"
    touch "$dir/.parley-kdc"
    : > "$dir/kadm5.acl"
    export KRB5_CONFIG="$dir/krb5.conf" KRB5_KDC_PROFILE="$dir/kdc.conf"

    # A port from this folder's name, so parallel builds rarely meet; the next on a clash.
    port=$(( 20000 + $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 20000 ))
    write_config "$port"
    "$kdb5_util" create -s -r "$REALM" -P "parley-test-master" >/dev/null
    {
        echo "addprinc -randkey alice"
        echo "addprinc -randkey bob"
        echo "addprinc -randkey PARLEY/chat.parley.test"
        echo "addprinc -randkey PARLEY/other.parley.test"
        echo "ktadd -k $dir/alice.keytab alice"
        echo "ktadd -k $dir/bob.keytab bob"
        echo "ktadd -k $dir/server.keytab PARLEY/chat.parley.test"
    } | "$kadmin" -r "$REALM" >"$dir/kadmin.out" 2>&1 ||
        { cat "$dir/kadmin.out" >&2; exit 1; }

    ok=0
    for attempt in $(seq 1 20); do
        write_config "$port"
        : > "$dir/kdc.log"
        "$krb5kdc" -n -P "$dir/kdc.pid" </dev/null >"$dir/kdc.out" 2>&1 &
        pid=$!
        echo "$pid" > "$dir/kdc.pid"
        # Ready when the log says so; gone when the port was taken.
        for _ in $(seq 1 100); do
            if grep -q "commencing operation" "$dir/kdc.log" 2>/dev/null; then ok=1; break; fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        [ $ok -eq 1 ] && break
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        echo "kdc.sh: port $port:" \
             "$(tail -n 3 "$dir/kdc.log" "$dir/kdc.out" 2>/dev/null | tr '\n' ' ')" >&2
        port=$(( port + 1 + attempt ))
    done
    [ $ok -eq 1 ] || { echo "kdc.sh: the KDC did not start" >&2; exit 1; }

    # Tickets for both users, one hour long. Two more caches of alice's for the clock tests, so
    # that where the skew is found does not depend on which test ran first: alice-tgt.cc only
    # ever holds her ticket-granting ticket (the KDC sees the skew), alice-svc.cc also holds
    # the service's ticket already (the server sees it).
    KRB5CCNAME="FILE:$dir/alice.cc" "$kinit" -l 1h -k -t "$dir/alice.keytab" alice
    KRB5CCNAME="FILE:$dir/bob.cc" "$kinit" -l 1h -k -t "$dir/bob.keytab" bob
    KRB5CCNAME="FILE:$dir/alice-tgt.cc" "$kinit" -l 1h -k -t "$dir/alice.keytab" alice
    KRB5CCNAME="FILE:$dir/alice-svc.cc" "$kinit" -l 1h -k -t "$dir/alice.keytab" alice
    KRB5CCNAME="FILE:$dir/alice-svc.cc" "$kvno" -q PARLEY/chat.parley.test
    # NTLM (gss-ntlmssp) reads users and passwords from a file: carol of domain PARLEY.
    printf 'PARLEY:carol:carol-ntlm-password\n' > "$dir/ntlm.users"
    cat > "$dir/env" <<EOF
KRB5_CONFIG=$dir/krb5.conf
KRB5_KDC_PROFILE=$dir/kdc.conf
PARLEY_KDC_PORT=$port
KRB5RCACHEDIR=$dir
EOF
    echo "kdc.sh: realm $REALM on 127.0.0.1:$port (pid $pid), files in $dir"
}

case "$cmd" in
start) start ;;
stop) stop; echo "kdc.sh: stopped, $dir removed" ;;
*) echo "usage: kdc.sh start|stop DIR" >&2; exit 2 ;;
esac
