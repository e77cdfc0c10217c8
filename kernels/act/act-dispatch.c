/* The elementwise kernel tables and the lookup. */
#include "act-impl.h"

int si_act_centre_start(int src, int dst) {
    return (src - dst) / 2;
}

static const si_act_kernels table_scalar = {.name = "scalar",
                                            .isa = SI_ISA_SCALAR,
                                            .sigmoid = si_act_sigmoid_scalar,
                                            .crop = si_act_crop_rows};

/* A static build without a static SLEEF (CMakeLists.txt, SEISINV_STATIC) has
 * no vector sigmoid: its tables take the scalar one (16 K values a pass). */
#ifdef SEISINV_NO_SLEEF
#define SIGMOID(isa) si_act_sigmoid_scalar
#else
#define SIGMOID(isa) si_act_sigmoid_##isa
#endif

#ifdef SEISINV_HAVE_AVX2
/* The crop is a memcpy per row in every table: libc's memcpy already runs
 * the widest moves the CPU has, an intrinsic copy would only add a tail. */
static const si_act_kernels table_avx2 = {
    .name = "avx2", .isa = SI_ISA_AVX2, .sigmoid = SIGMOID(avx2), .crop = si_act_crop_rows};
#endif

#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__) /* armhf runs scalar */
static const si_act_kernels table_neon = {
    .name = "neon", .isa = SI_ISA_NEON, .sigmoid = SIGMOID(neon), .crop = si_act_crop_rows};
#endif

const si_act_kernels *si_act_kernels_for(si_isa isa) {
    switch (isa) {
#ifdef SEISINV_HAVE_AVX2
    case SI_ISA_AVX512: /* no AVX-512 kernels: AVX2 runs there */
    case SI_ISA_AVX2:
        return &table_avx2;
#endif
#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__)
    case SI_ISA_NEON:
        return &table_neon;
#endif
    default:
        return &table_scalar;
    }
}
