/* The conv kernel tables, one per ISA the family has, and the lookup. */
#include "conv-impl.h"

static const si_conv_kernels table_scalar = {
    .name = "scalar",
    .isa = SI_ISA_SCALAR,
    .g1 = si_conv_g1_scalar,
    .nb5 = si_conv_nb5_scalar,
    .im2col = si_conv_im2col_scalar,
    .interleave = si_convt_interleave_scalar,
};

#ifdef SEISINV_HAVE_AVX2
static const si_conv_kernels table_avx2 = {
    .name = "avx2",
    .isa = SI_ISA_AVX2,
    .g1 = si_conv_g1_avx2,
    .nb5 = si_conv_nb5_avx2,
    .im2col = si_conv_im2col_avx2,
    .interleave = si_convt_interleave_avx2,
};
#endif

#ifdef SEISINV_HAVE_AVX512 /* the AVX2 kernels but the Neighbour conv */
static const si_conv_kernels table_avx512 = {
    .name = "avx512",
    .isa = SI_ISA_AVX512,
    .g1 = si_conv_g1_avx2,
    .nb5 = si_conv_nb5_avx512,
    .im2col = si_conv_im2col_avx2,
    .interleave = si_convt_interleave_avx2,
};
#endif

#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__) /* armhf runs scalar */
static const si_conv_kernels table_neon = {
    .name = "neon",
    .isa = SI_ISA_NEON,
    .g1 = si_conv_g1_neon,
    .nb5 = si_conv_nb5_neon,
    .im2col = si_conv_im2col_neon,
    .interleave = si_convt_interleave_neon,
};
#endif

const si_conv_kernels *si_conv_kernels_for(si_isa isa) {
    switch (isa) {
#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__)
    case SI_ISA_NEON:
        return &table_neon;
#endif
#ifdef SEISINV_HAVE_AVX512
    case SI_ISA_AVX512:
        return &table_avx512;
#else
    case SI_ISA_AVX512: /* fall through to the widest x86 table built */
#endif
#ifdef SEISINV_HAVE_AVX2
    case SI_ISA_AVX2:
        return &table_avx2;
#endif
    default:
        return &table_scalar;
    }
}
