/* The per-ISA training-norm kernels behind si_bntrain_kernels. Internal. */
#ifndef SI_KERNELS_BNTRAIN_IMPL_H
#define SI_KERNELS_BNTRAIN_IMPL_H

#include "bntrain.h"

extern const si_bntrain_kernels si_bntrain_scalar;
#ifdef SEISINV_HAVE_AVX2
extern const si_bntrain_kernels si_bntrain_avx2;
#endif
#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__)
extern const si_bntrain_kernels si_bntrain_neon;
#endif

#endif
