#!/usr/bin/env bash
# run-all.sh — installs what is missing, builds the native (gcc), native-asan (clang, ASan+UBSan)
# and MinGW presets, and runs their test suites: natively, and as Windows executables under Wine.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash cmake/install-deps.sh

status=0
for preset in native native-asan mingw; do
  echo "=== $preset: configure, build, test"
  if ! cmake --workflow --preset "$preset"; then
    echo "=== $preset: FAILED"
    status=1
  fi
done
exit $status
