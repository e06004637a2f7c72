#!/bin/sh
# start-failure-test.sh — when Wine cannot start a test program, wine-run must fail and the
# test's log must say why in Wine's own words (not be empty).
# Usage: start-failure-test.sh WINE_RUN PROGRAM.exe
set -u
out=$("$1" "$2" 2>&1)
rc=$?
printf '%s\n' "$out"
fail() { echo "start-failure-test: FAILED: $*"; exit 1; }
[ "$rc" -ne 0 ] || fail "wine-run exited 0 for a program that cannot start"
printf '%s\n' "$out" | grep -q 'err:module:.*parley-absent.dll' ||
  fail "no Wine error naming the missing DLL in the output"
printf '%s\n' "$out" | grep -q "^wine-run: .* exited with status $rc" ||
  fail "wine-run did not report the exit status"
echo "start-failure-test: passed (Wine's error shown, exit status $rc)"
