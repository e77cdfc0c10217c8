#!/usr/bin/env bash
# Packs what the GPU machine needs to generate data into .devw/ (git-ignored,
# sent with the device call's `carry`): the seisinv program built here and the
# shared libraries it links that a CUDA/PyTorch image lacks. The machine has
# no package registry; the program needs glibc >= 2.35 there.
#
#   weights/tools/pack_device.sh [BUILD_DIR]     (default build-w)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-w}
rm -rf .devw
mkdir -p .devw/lib
cp "$build/seisinv" .devw/
for so in libjansson.so.4 libpng16.so.16 libsleef.so.3 libsegyio.so.1 libz.so.1; do
    path=$(ldd "$build/seisinv" | awk -v n="$so" '$1 == n { print $3 }')
    [ -n "$path" ] || { echo "pack_device: $so not linked by $build/seisinv" >&2; exit 1; }
    cp -L "$path" .devw/lib/
done
du -sh .devw
