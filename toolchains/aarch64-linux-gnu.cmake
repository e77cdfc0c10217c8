# Cross build for 64-bit ARM (ARMv8-A, AdvSIMD) with Debian's cross compiler
# and multiarch libraries (apt-get install libfoo-dev:arm64), no sysroot:
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake
# scripts/cross.sh aarch64 installs what is missing and does this.
# ctest runs the tests under qemu-aarch64 (CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(SI_TRIPLET aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${SI_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${SI_TRIPLET}-g++)

# The target's .pc files only: never the build machine's (PKG_CONFIG_LIBDIR
# replaces pkg-config's default search path). Multiarch puts the target's
# libraries in /usr/lib/<triplet>, which the Debian cross compiler searches.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${SI_TRIPLET}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# Binaries run by ctest, and the CLI spawned by tests (tests/CMakeLists.txt
# wraps it), run under qemu with the multiarch root: the loader and libc of
# libc6:<arch>, which the target -dev packages pull in. Not -L /usr/<triplet>:
# that loader (libc6-<arch>-cross) would load the multiarch libc.so.6 (found
# first in /lib/<triplet>), and a loader and libc of two different builds
# (2.36-8cross1 and 2.36-9+deb12u14 on bookworm) hang in pthread_create.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;/)
