/* The per-ISA conv kernels behind si_conv_kernels (conv-dispatch.c builds the
 * tables). Internal to kernels/conv. */
#ifndef SI_KERNELS_CONV_IMPL_H
#define SI_KERNELS_CONV_IMPL_H

#include "conv.h"

void si_conv_g1_scalar(float *out, const float *in, const float *w, const float *scale,
                       const float *shift, int cout, int rows, int t);
void si_conv_nb5_scalar(float *out, const float *in, const float *w, const float *bias, int cin,
                        int cout, int rows, int t);
void si_conv_im2col_scalar(float *dst, const float *in, const si_conv_geom *g, size_t img_stride,
                           size_t nr, size_t j0, size_t n);
void si_convt_interleave_scalar(float *out, const float *phases, int c, int h, int w);

#ifdef SEISINV_HAVE_AVX2
void si_conv_g1_avx2(float *out, const float *in, const float *w, const float *scale,
                     const float *shift, int cout, int rows, int t);
void si_conv_nb5_avx2(float *out, const float *in, const float *w, const float *bias, int cin,
                      int cout, int rows, int t);
void si_conv_im2col_avx2(float *dst, const float *in, const si_conv_geom *g, size_t img_stride,
                         size_t nr, size_t j0, size_t n);
void si_convt_interleave_avx2(float *out, const float *phases, int c, int h, int w);
#endif

#ifdef SEISINV_HAVE_AVX512
void si_conv_nb5_avx512(float *out, const float *in, const float *w, const float *bias, int cin,
                        int cout, int rows, int t);
#endif

#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__) /* armhf runs scalar */
void si_conv_g1_neon(float *out, const float *in, const float *w, const float *scale,
                     const float *shift, int cout, int rows, int t);
void si_conv_nb5_neon(float *out, const float *in, const float *w, const float *bias, int cin,
                      int cout, int rows, int t);
void si_conv_im2col_neon(float *dst, const float *in, const si_conv_geom *g, size_t img_stride,
                         size_t nr, size_t j0, size_t n);
void si_convt_interleave_neon(float *out, const float *phases, int c, int h, int w);
#endif

#endif
