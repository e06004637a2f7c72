#!/bin/sh
# rc.sh — the clang-cl preset's resource compiler: takes the rc.exe command line that CMake
# writes for MSVC-style toolchains (rules-override.cmake) and compiles with binutils' windres
# into a .res file, which lld-link links as it links rc.exe's. llvm-rc 14 would be the natural
# choice but rejects MENUEX and a dialog's MENU statement, which parley.exe's resources use.
set -eu
out=""
src=""
set -- "$@" --end--
while [ "$1" != --end-- ]; do
  a=$1; shift
  case "$a" in
    /fo|-fo) out=$1; shift ;;
    -I|/I) set -- "$@" "-I$1"; shift ;;
    -D?*|/D?*) set -- "$@" "-D${a#??}" ;;
    -I?*|/I?*) set -- "$@" "-I${a#??}" ;;
    -c[0-9]*|/c[0-9]*) set -- "$@" "--codepage=${a#??}" ;;
    /nologo|-nologo) ;;
    *.rc) src=$a ;;
    *) echo "rc.sh: unsupported argument $a" >&2; exit 2 ;;
  esac
done
shift
[ -n "$out" ] && [ -n "$src" ] || { echo "rc.sh: usage: [options] /fo OUT SOURCE.rc" >&2; exit 2; }
exec x86_64-w64-mingw32-windres --input-format=rc --output-format=res -I"$(dirname "$src")" \
  "$@" -i "$src" -o "$out"
