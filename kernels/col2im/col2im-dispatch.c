/* The col2im kernel tables, one per ISA the family has, and the lookup. */
#include "col2im-impl.h"

static const si_col2im_kernels table_scalar = {
    .name = "scalar", .isa = SI_ISA_SCALAR, .col2im = si_col2im_scalar};

#ifdef SEISINV_HAVE_AVX2
static const si_col2im_kernels table_avx2 = {
    .name = "avx2", .isa = SI_ISA_AVX2, .col2im = si_col2im_avx2};
#endif

const si_col2im_kernels *si_col2im_kernels_for(si_isa isa) {
    switch (isa) {
#ifdef SEISINV_HAVE_AVX2
    case SI_ISA_AVX512: /* no AVX-512 col2im: the AVX2 one runs there */
    case SI_ISA_AVX2:
        return &table_avx2;
#endif
    default: /* NEON: scalar until a col2im-neon.c joins the table */
        return &table_scalar;
    }
}
