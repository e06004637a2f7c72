#!/usr/bin/env bash
# run-parley.sh — installs what is missing, builds Parley, starts parley-server on its default
# configuration and opens a client on it: the Win32 client under Wine when a display is
# present, otherwise the terminal client. Ctrl+C (or closing the client) stops everything.
#   --server-only   run just the server in this terminal (extra arguments go to the server)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash cmake/install-deps.sh
cmake --preset native >/dev/null
cmake --build --preset native

server=build/native/server/parley-server
cli=build/native/client/cli/parley-cli
if [ "${1:-}" = "--server-only" ]; then
  shift
  exec "$server" "$@"
fi

data_dir="${XDG_DATA_HOME:-$HOME/.local/share}/parley"
key_file="$data_dir/secret.key"
log=$(mktemp)
"$server" "$@" >"$log" 2>&1 &
server_pid=$!
stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  rm -f "$log"
}
trap stop_server EXIT

# The server says "listening on port N" once it accepts connections.
for _ in $(seq 1 100); do
  grep -q "listening on port" "$log" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
cat "$log"
port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$log" | head -n 1)
port=${port:-7420}
nick=$(printf '%s' "${USER:-guest}" | tr -cd 'A-Za-z0-9_-' | cut -c1-32)
case "$nick" in [A-Za-z]*) ;; *) nick="guest$nick" ;; esac

if [ -n "${DISPLAY:-}" ] && command -v wine >/dev/null; then
  echo "== building the Windows client (parley.exe) and opening it under Wine"
  cmake --preset mingw >/dev/null
  cmake --build --preset mingw --target parley
  export WINEPREFIX="${WINEPREFIX:-$root/build/mingw/wineprefix}" WINEDEBUG=-all
  export WINEDLLOVERRIDES="mscoree,mshtml="
  # The connect dialog opens filled in; press Connect.
  wine build/mingw/client/gui/parley.exe --server 127.0.0.1 --port "$port" --nick "$nick" \
       --key-file "Z:$key_file" || true
elif [ -t 0 ]; then
  echo "== no display: the terminal client, connected as $nick (type /help; /quit to leave)"
  "$cli" --host 127.0.0.1 --port "$port" --nick "$nick" --key-file "$key_file" || true
else
  echo "== no display and no terminal: a short scripted conversation between two clients"
  { sleep 1; echo "Hello from a script."; sleep 1; } |
    "$cli" --script --host 127.0.0.1 --port "$port" --nick "${nick}-b" --key-file "$key_file" \
           --wait 1500 &
  other=$!
  { sleep 0.5; echo "Hi! This line crossed the wire with aes-256-gcm."; sleep 2; } |
    "$cli" --script --host 127.0.0.1 --port "$port" --nick "$nick" --key-file "$key_file" \
           --wait 1500 || true
  # Only the other client: a bare `wait` would wait for the server too, which runs until stopped.
  wait "$other" || true
fi
