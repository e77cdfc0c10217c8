/* The per-ISA optimiser kernels behind si_optim_kernels (optim-dispatch.c). */
#ifndef SI_KERNELS_OPTIM_IMPL_H
#define SI_KERNELS_OPTIM_IMPL_H

#include "optim.h"

/* Same bits in every table: no contraction into fused multiply-adds (GCC
 * already keeps them apart in ISO C mode; clang needs telling). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

void si_optim_adam_scalar(float *w, const float *g, float *m, float *v, size_t n, float lr,
                          float beta1, float beta2, float eps, float bc1, float bc2);
#ifdef SEISINV_HAVE_AVX2
void si_optim_adam_avx2(float *w, const float *g, float *m, float *v, size_t n, float lr,
                        float beta1, float beta2, float eps, float bc1, float bc2);
#endif
#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__) /* armhf: no vector sqrt/div */
void si_optim_adam_neon(float *w, const float *g, float *m, float *v, size_t n, float lr,
                        float beta1, float beta2, float eps, float bc1, float bc2);
#endif

/* The step's constants, computed once per call the same way by every table. */
static inline void si_optim_adam_consts(float lr, float beta1, float beta2, float bc1, float bc2,
                                        float *step, float *bc2_sqrt, float *one_b1,
                                        float *one_b2) {
    *step = lr / bc1;
    *bc2_sqrt = __builtin_sqrtf(bc2);
    *one_b1 = 1.0f - beta1;
    *one_b2 = 1.0f - beta2;
}

#endif
