/* The col2im kernel tables, one per ISA the family has, and the lookup. */
#include "col2im-impl.h"

static const si_col2im_kernels table_scalar = {
    .name = "scalar", .isa = SI_ISA_SCALAR, .col2im = si_col2im_scalar};

#ifdef SEISINV_HAVE_AVX2
static const si_col2im_kernels table_avx2 = {
    .name = "avx2", .isa = SI_ISA_AVX2, .col2im = si_col2im_avx2};
#endif
#ifdef SEISINV_HAVE_NEON
static const si_col2im_kernels table_neon = {
    .name = "neon", .isa = SI_ISA_NEON, .col2im = si_col2im_neon};
#endif

const si_col2im_kernels *si_col2im_kernels_for(si_isa isa) {
    switch (isa) {
#ifdef SEISINV_HAVE_AVX2
    case SI_ISA_AVX512: /* no AVX-512 col2im: the AVX2 one runs there */
    case SI_ISA_AVX2:
        return &table_avx2;
#endif
#ifdef SEISINV_HAVE_NEON
    case SI_ISA_NEON:
        return &table_neon;
#endif
    default:
        return &table_scalar;
    }
}
