#!/usr/bin/env bash
# Installs the Debian packages seisinv needs (only those missing) and builds it.
#   scripts/setup.sh [BUILD_DIR]     (default: build)
# Build-time: cmake, a C11 compiler, pkg-config, libjansson (JSON), libpng,
# libsleef (vector math), libsegyio (SEG-Y). Tests: cmocka, Google Benchmark;
# python3-numpy/torch/skimage are test oracles only; clang + libclang-rt
# (libFuzzer) build the fuzzers.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}

# libsegyio-dev with the build machine's architecture: it is not Multi-Arch
# "same", so an ARM copy (scripts/cross.sh avoids that) would replace it.
PKGS="cmake make gcc g++ pkg-config libjansson-dev libpng-dev libsleef-dev
      libsegyio-dev:$(dpkg --print-architecture) libcmocka-dev libbenchmark-dev python3-numpy python3-torch python3-skimage
      clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing$missing" >&2
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
