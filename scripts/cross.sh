#!/usr/bin/env bash
# Cross-builds seisinv for ARM with Debian's cross compilers and multiarch
# libraries (no sysroot), and with --test runs the default tests (not those
# labelled "long") under qemu-user.
#   scripts/cross.sh aarch64|armhf [--test]
# Builds into build-aarch64 or build-armhf; installs what is missing first
# (root or sudo). Google Benchmark is built only if libbenchmark-dev for the
# target is already installed (benchmarks under qemu measure qemu).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: scripts/cross.sh aarch64|armhf [--test]" >&2; exit 2; }
case "${1:-}" in
aarch64) ARCH=arm64 TRIPLET=aarch64-linux-gnu ;;
armhf) ARCH=armhf TRIPLET=arm-linux-gnueabihf ;;
*) usage ;;
esac
TEST=0
case "${2:-}" in
"") ;;
--test) TEST=1 ;;
*) usage ;;
esac
BUILD=build-$1
HOST=$(dpkg --print-architecture)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

HOST_PKGS="cmake make pkg-config qemu-user gcc-$TRIPLET g++-$TRIPLET
           python3-numpy python3-torch python3-skimage"
TARGET_PKGS="libc6-dev libjansson-dev libpng-dev libsleef-dev libsegyio-dev libcmocka-dev"
missing=""
for p in $HOST_PKGS; do installed "$p" || missing="$missing $p"; done
for p in $TARGET_PKGS; do installed "$p:$ARCH" || missing="$missing $p:$ARCH"; done

if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if ! dpkg --print-foreign-architectures | grep -qx "$ARCH"; then
    $SUDO dpkg --add-architecture "$ARCH"
  fi
  echo "cross: installing$missing" >&2
  # A mirror caught mid-sync fails one index; apt then says what it cannot
  # install, which is the error worth showing.
  $SUDO apt-get update -q || echo "cross: apt-get update reported errors (see above)" >&2
  # Multi-Arch "same" libraries must have one version on every architecture:
  # the target's copies come at the candidate version, so the build
  # machine's copies that are older move to it in the same transaction.
  sync=""
  for p in libc6 libc6-dev linux-libc-dev libgcc-s1 libstdc++6 libssl3 zlib1g zlib1g-dev \
           libpng16-16 libpng-dev libjansson4 libjansson-dev libsleef3 libsleef-dev \
           libsegyio1 libsegyio-dev libcmocka0 libcmocka-dev; do
    have=$(dpkg-query -W -f='${Version}' "$p:$HOST" 2>/dev/null || true)
    [ -n "$have" ] || continue
    cand=$(apt-cache policy "$p:$HOST" | awk '/Candidate:/ {print $2}')
    [ -n "$cand" ] && [ "$cand" != "(none)" ] && [ "$cand" != "$have" ] && sync="$sync $p:$HOST"
  done
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
       $missing $sync; then
    echo "cross: could not install the $1 packages (above); nothing built" >&2
    exit 1
  fi
fi

BENCH=OFF
installed "libbenchmark-dev:$ARCH" && BENCH=ON
cmake -S . -B "$BUILD" -DCMAKE_TOOLCHAIN_FILE="toolchains/$TRIPLET.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DSEISINV_BENCH=$BENCH >/dev/null
cmake --build "$BUILD" -j"$(nproc)"

if [ "$TEST" = 1 ]; then
  (cd "$BUILD" && ctest --output-on-failure -LE long -j"$(nproc)")
fi
