/* The training-norm kernel tables and the lookup. */
#include "bntrain-impl.h"

const si_bntrain_kernels *si_bntrain_kernels_for(si_isa isa) {
    switch (isa) {
#ifdef SEISINV_HAVE_AVX2
    case SI_ISA_AVX512: /* no AVX-512 version: the AVX2 one runs there */
    case SI_ISA_AVX2:
        return &si_bntrain_avx2;
#endif
#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__)
    case SI_ISA_NEON:
        return &si_bntrain_neon;
#endif
    default: /* armhf NEON: no double vectors, the scalar table */
        return &si_bntrain_scalar;
    }
}
