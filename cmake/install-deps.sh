#!/usr/bin/env bash
# install-deps.sh — installs, with apt-get, whatever Parley's builds and tests need and is missing.
set -euo pipefail

packages=(cmake ninja-build gcc clang libclang-rt-14-dev libssl-dev pkg-config
          gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine wine64 xvfb xauth nsis
          imagemagick x11-utils tcpdump valgrind fonts-noto-cjk fonts-noto-color-emoji)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
