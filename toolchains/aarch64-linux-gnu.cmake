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

# -L: the loader and libc of the cross toolchain, for binaries run by ctest
# and by tests that spawn the CLI (tests/CMakeLists.txt wraps it).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;/usr/${SI_TRIPLET})
