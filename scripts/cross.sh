#!/usr/bin/env bash
# Cross-builds seisinv for ARM with Debian's cross compilers and multiarch
# libraries (no sysroot), and runs its tests under qemu-user:
#   scripts/cross.sh aarch64|armhf [--test | --test-full | --build-only | --static |
#                                   --kernels-only]
# --test: every default test (`ctest -LE long`, as natively) under qemu,
# the training path's included; the slow ones shrink their problems there
# (SEISINV_EMULATED=1, set by CMake for cross builds) but keep every check.
# CI runs this for aarch64.
# --test-full: the same tests at native sizes (SEISINV_TEST_FULL_SIZE=1;
# hours: one pass of the network is ~20 s).
# --static: only the program, linked fully statically (-DSEISINV_STATIC=ON),
# into build-<arch>-static/seisinv: the one file to copy to a field unit. It
# unpacks libsegyio.a from libsegyio-dev:<arch> there (apt-get download; not
# installed, as that would remove the build machine's libsegyio-dev).
# --kernels-only: compiles every kernel (scalar and NEON, -Werror) with the
# target's flags into build-<arch>/kernels-only, needing only the cross
# compiler: what CI checks for armhf, whose libraries a mirror mid-sync can
# leave uninstallable (below).
# Builds into build-aarch64 or build-armhf; installs what is missing first
# (root or sudo). Google Benchmark is built only if libbenchmark-dev for the
# target is already installed (benchmarks under qemu measure qemu).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/cross.sh aarch64|armhf [--test | --test-full | --build-only | --static |" \
       "--kernels-only]" >&2
  exit 2
}
case "${1:-}" in
aarch64) ARCH=arm64 TRIPLET=aarch64-linux-gnu QEMU=qemu-aarch64 ;;
armhf) ARCH=armhf TRIPLET=arm-linux-gnueabihf QEMU=qemu-arm ;;
*) usage ;;
esac
MODE=${2:---build-only}
case "$MODE" in
--test | --test-full | --build-only | --static | --kernels-only) ;;
*) usage ;;
esac
BUILD=build-$1
HOST=$(dpkg --print-architecture)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

if [ "$MODE" = --kernels-only ]; then
  if ! installed "gcc-$TRIPLET"; then # a build-machine package: no Multi-Arch concerns
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -q || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "gcc-$TRIPLET"
  fi
  # The flags of toolchains/$TRIPLET.cmake and CMakeLists.txt (NEON files).
  base="-std=c11 -O3 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -DSEISINV_HAVE_NEON -Ikernels"
  neon=""
  [ "$ARCH" = armhf ] && base="$base -march=armv7-a -mfpu=vfpv3-d16 -mfloat-abi=hard" \
    && neon="-mfpu=neon-vfpv4"
  out=$BUILD/kernels-only
  mkdir -p "$out"
  n=0
  for f in kernels/*.c kernels/*/*.c; do
    case "$f" in *-avx2.c | *-avx512.c) continue ;; esac
    extra=""
    case "$f" in *-neon.c) extra=$neon ;; esac
    "$TRIPLET-gcc" $base $extra -c "$f" -o "$out/$(basename "$f" .c).o"
    n=$((n + 1))
  done
  echo "cross: $n kernel files compiled for $1 into $out"
  exit 0
fi

# segyio: libsegyio-dev is not Multi-Arch "same" (installing it for the target
# removes the build machine's), so the target gets only the runtime library
# libsegyio1 and the build takes the (architecture-independent) headers from
# the build machine's libsegyio-dev; CMakeLists.txt links libsegyio.so.1.
HOST_PKGS="cmake make pkg-config qemu-user gcc-$TRIPLET g++-$TRIPLET libsegyio-dev:$HOST
           python3-numpy python3-torch python3-skimage"
TARGET_PKGS="libc6-dev libjansson-dev libpng-dev libsleef-dev libsegyio1 libcmocka-dev"
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
  # Never let the transaction remove a package of the build machine (apt
  # would, to satisfy a library that has no matching version for the target).
  plan=$(apt-get install -s -q --no-install-recommends $missing $sync 2>&1) || true
  if grep -q '^Remv' <<<"$plan"; then
    echo "cross: installing the $1 packages would remove:" >&2
    grep '^Remv' <<<"$plan" >&2
    echo "cross: refused; nothing installed, nothing built" >&2
    exit 1
  fi
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
       $missing $sync; then
    echo "cross: could not install the $1 packages (above); nothing built." >&2
    echo "cross: Multi-Arch libraries (libc6, libssl3, libpng16-16, linux-libc-dev, ...) need" \
         "the same version for $HOST and $ARCH; when apt-get update could not fetch the" \
         "$ARCH index of bookworm-security (a mirror mid-sync), the $ARCH copies of the" \
         "security updates the $HOST side has are missing: retry once the mirror has synced." >&2
    exit 1
  fi
fi

if [ "$MODE" = --static ]; then
  DEPS=$PWD/$BUILD-static/deps
  if [ ! -f "$DEPS/lib/libsegyio.a" ]; then
    tmp=$(mktemp -d)
    chmod a+rwx "$tmp" # apt's download user writes there
    (cd "$tmp" && apt-get download -q "libsegyio-dev:$ARCH")
    dpkg-deb -x "$tmp"/libsegyio-dev_*.deb "$tmp/root"
    mkdir -p "$DEPS/lib"
    cp "$tmp/root/usr/lib/$TRIPLET/libsegyio.a" "$DEPS/lib/"
    rm -rf "$tmp"
  fi
  cmake --no-warn-unused-cli -S . -B "$BUILD-static" -DCMAKE_TOOLCHAIN_FILE="toolchains/$TRIPLET.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DSEISINV_STATIC=ON -DSEISINV_STATIC_DEPS="$DEPS" \
    -DSEISINV_TESTS=OFF -DSEISINV_BENCH=OFF >/dev/null
  cmake --build "$BUILD-static" -j"$(nproc)" --target seisinv
  # Runs under qemu with no library root at all: nothing is loaded at run time.
  $QEMU "$BUILD-static/seisinv" --version
  file "$BUILD-static/seisinv"
  exit 0
fi

BENCH=OFF
installed "libbenchmark-dev:$ARCH" && BENCH=ON
cmake --no-warn-unused-cli -S . -B "$BUILD" -DCMAKE_TOOLCHAIN_FILE="toolchains/$TRIPLET.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DSEISINV_BENCH=$BENCH >/dev/null
cmake --build "$BUILD" -j"$(nproc)"

case "$MODE" in
--test) (cd "$BUILD" && ctest --output-on-failure -LE long -j"$(nproc)") ;;
--test-full)
  (cd "$BUILD" && SEISINV_TEST_FULL_SIZE=1 ctest --output-on-failure -LE long -j"$(nproc)") ;;
esac
