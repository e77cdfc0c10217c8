#!/usr/bin/env bash
# Quick-start command 2: set up, build, and run every default test, then the
# same tests again in an ASan+UBSan build. Long tests (label "long": full-size
# training, full dataset) are excluded; run them with `ctest -L long`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
(cd build && ctest --output-on-failure -LE long -j"$(nproc)")

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSEISINV_SANITIZE=ON -DSEISINV_BENCH=OFF >/dev/null
cmake --build build-asan -j"$(nproc)"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure -LE "long|nosan" -j"$(nproc)")

# The installed package is usable from another CMake project.
rm -rf build-install-test && mkdir build-install-test
cmake --install build --prefix "$PWD/build-install-test/prefix" >/dev/null
cmake -S tests/install -B build-install-test/consumer -DCMAKE_PREFIX_PATH="$PWD/build-install-test/prefix" >/dev/null
cmake --build build-install-test/consumer >/dev/null
build-install-test/consumer/consumer

# The aarch64 cross build (NEON kernels) and every default test under
# qemu-aarch64, training included, at the smaller sizes the tests take when
# emulated; the static program for field units; the armhf kernels compiled
# (its libraries need a bookworm-security armhf index the mirror may lack:
# scripts/cross.sh says).
scripts/cross.sh aarch64 --test
scripts/cross.sh aarch64 --static
scripts/cross.sh armhf --kernels-only

# Fuzz the file readers (.npy, safetensors, SEG-Y) for 60 s each (~4 min with the build).
scripts/fuzz.sh 60
echo "all tests passed"
