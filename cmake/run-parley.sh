#!/usr/bin/env bash
# run-parley.sh — installs what is missing, builds Parley natively and runs parley-server on its
# default configuration in this terminal (Ctrl+C stops it). Extra arguments go to the server.
set -euo pipefail
cd "$(dirname "$0")/.."

bash cmake/install-deps.sh
cmake --preset native >/dev/null
cmake --build --preset native
exec build/native/server/parley-server "$@"
