/* The per-ISA col2im kernels behind si_col2im_kernels. Internal. */
#ifndef SI_KERNELS_COL2IM_IMPL_H
#define SI_KERNELS_COL2IM_IMPL_H

#include "col2im.h"

void si_col2im_scalar(float *img, const float *col, size_t ldc, const si_conv_geom *g,
                      size_t img_stride, size_t j0, size_t n);
#ifdef SEISINV_HAVE_AVX2
void si_col2im_avx2(float *img, const float *col, size_t ldc, const si_conv_geom *g,
                    size_t img_stride, size_t j0, size_t n);
#endif
#ifdef SEISINV_HAVE_NEON
void si_col2im_neon(float *img, const float *col, size_t ldc, const si_conv_geom *g,
                    size_t img_stride, size_t j0, size_t n);
#endif

#endif
