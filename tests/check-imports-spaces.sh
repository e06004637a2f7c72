#!/bin/sh
# check-imports-spaces.sh — check-imports.sh reads a program whose path holds spaces (it once
# split paths on spaces, read no imports at all and still reported success).
# Usage: check-imports-spaces.sh WORK_DIR OBJDUMP PROGRAM
set -eu
work=$1 objdump=$2 program=$3
dir="$work/with space"
rm -rf "$work"
mkdir -p "$dir"
cp "$program" "$dir/"
out=$(sh "$(dirname "$0")/check-imports.sh" "$work" "$objdump") || { echo "$out"; exit 1; }
echo "$out"
case "$out" in
  *kernel32.dll*) echo "check-imports-spaces: imports read through a path with spaces" ;;
  *) echo "FAIL: check-imports.sh read no imports from '$dir'"; exit 1 ;;
esac
