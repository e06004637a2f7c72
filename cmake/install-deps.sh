#!/usr/bin/env bash
# install-deps.sh — installs, with apt-get, whatever Parley's builds and tests need and is missing.
set -euo pipefail

# clang-tools-14, lld, llvm-14 and libwine-dev: the clang-cl preset (MSVC language mode with
# Wine's Windows headers and import libraries). nodejs/npm: the workflow linter.
# libkrb5-dev: Windows sign-on on Linux (GSSAPI); krb5-kdc, krb5-admin-server (kadmin.local),
# krb5-user (kinit) and faketime: the sign-on tests' own throwaway realm (tests/negotiate/);
# gss-ntlmssp: GSSAPI's NTLM mechanism, for the allow_ntlm tests.
# fonts-symbola: outline emoji Wine can draw (the GUI tests set it as EmojiFont).
packages=(cmake ninja-build gcc clang libclang-rt-14-dev libssl-dev pkg-config
          gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine wine64 xvfb xauth nsis
          imagemagick x11-utils tcpdump valgrind
          clang-tools-14 lld llvm-14 libwine-dev
          unicode-data bzip2 python3
          fonts-noto-cjk fonts-noto-color-emoji fonts-symbola
          libkrb5-dev krb5-kdc krb5-admin-server krb5-user faketime gss-ntlmssp)

# Node.js may come with the machine rather than from Debian: only install it if it is absent.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

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
