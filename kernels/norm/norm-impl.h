/* The per-ISA norm kernels behind si_norm_kernels (norm-dispatch.c). */
#ifndef SI_KERNELS_NORM_IMPL_H
#define SI_KERNELS_NORM_IMPL_H

#include "norm.h"

void si_norm_block_relu_scalar(float *out, float *stats, const float *in, size_t n, float eps);
#ifdef SEISINV_HAVE_AVX2
void si_norm_block_relu_avx2(float *out, float *stats, const float *in, size_t n, float eps);
#endif
#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__) /* armhf runs scalar */
void si_norm_block_relu_neon(float *out, float *stats, const float *in, size_t n, float eps);
#endif

#endif
