# Cross build for 32-bit ARM (ARMv7-A, hard float, NEON-VFPv4) with Debian's
# cross compiler and multiarch libraries (apt-get install libfoo-dev:armhf),
# no sysroot:
#   cmake -S . -B build-armhf -DCMAKE_TOOLCHAIN_FILE=toolchains/arm-linux-gnueabihf.cmake
# scripts/cross.sh armhf installs what is missing and does this.
# ctest runs the tests under qemu-arm (CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(SI_TRIPLET arm-linux-gnueabihf)

set(CMAKE_C_COMPILER ${SI_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${SI_TRIPLET}-g++)

# Everything but the kernels keeps Debian's armhf baseline FPU (VFPv3-D16), so
# one binary runs on every ARMv7-A board; *-neon.c files get -mfpu=neon-vfpv4
# (CMakeLists.txt) and run only where HWCAP reports NEON and VFPv4
# (kernels/isa.c), e.g. not on a Cortex-A9, which lacks VFPv4's fused ops.
set(CMAKE_C_FLAGS_INIT "-march=armv7-a -mfpu=vfpv3-d16 -mfloat-abi=hard")
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a -mfpu=vfpv3-d16 -mfloat-abi=hard")

# The target's .pc files only: never the build machine's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${SI_TRIPLET}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# Binaries run by ctest, and the CLI spawned by tests (tests/CMakeLists.txt
# wraps it), run under qemu with the multiarch root: the loader and libc of
# libc6:<arch>, which the target -dev packages pull in. Not -L /usr/<triplet>:
# that loader (libc6-<arch>-cross) would load the multiarch libc.so.6 (found
# first in /lib/<triplet>), and a loader and libc of two different builds
# (2.36-8cross1 and 2.36-9+deb12u14 on bookworm) hang in pthread_create.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm;-L;/)
