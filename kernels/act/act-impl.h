/* The per-ISA elementwise kernels behind si_act_kernels (act-dispatch.c). */
#ifndef SI_KERNELS_ACT_IMPL_H
#define SI_KERNELS_ACT_IMPL_H

#include "act.h"

void si_act_sigmoid_scalar(float *y, const float *x, size_t n);
void si_act_crop_rows(float *dst, const float *src, int c, int h_src, int w_src, int top, int left,
                      int h, int w);
#ifdef SEISINV_HAVE_AVX2
void si_act_sigmoid_avx2(float *y, const float *x, size_t n);
#endif
#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__) /* armhf runs scalar */
void si_act_sigmoid_neon(float *y, const float *x, size_t n);
#endif

#endif
