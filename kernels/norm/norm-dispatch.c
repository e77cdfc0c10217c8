/* The norm kernel tables and the lookup. */
#include "norm-impl.h"

static const si_norm_kernels table_scalar = {
    .name = "scalar", .isa = SI_ISA_SCALAR, .block_relu = si_norm_block_relu_scalar};

#ifdef SEISINV_HAVE_AVX2
static const si_norm_kernels table_avx2 = {
    .name = "avx2", .isa = SI_ISA_AVX2, .block_relu = si_norm_block_relu_avx2};
#endif

#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__) /* armhf runs scalar */
static const si_norm_kernels table_neon = {
    .name = "neon", .isa = SI_ISA_NEON, .block_relu = si_norm_block_relu_neon};
#endif

const si_norm_kernels *si_norm_kernels_for(si_isa isa) {
    switch (isa) {
#ifdef SEISINV_HAVE_AVX2
    case SI_ISA_AVX512: /* no AVX-512 norm kernel: AVX2 runs there */
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
