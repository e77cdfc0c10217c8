/* The per-ISA Winograd kernels behind si_wino_kernels. Internal to
 * kernels/winograd. */
#ifndef SI_KERNELS_WINO_IMPL_H
#define SI_KERNELS_WINO_IMPL_H

#include "winograd.h"

void si_wino_input_scalar(float *dst, size_t dst_stride, const float *in, size_t img_stride,
                          const si_wino_geom *g, size_t nr, size_t t0, size_t n);
void si_wino_output_scalar(float *out, size_t out_img_stride, size_t out_cstride, const float *m,
                           size_t m_stride, size_t ldm, const si_wino_geom *g, int co0, int co1,
                           const float *shift, int relu, size_t t0, size_t n);

#ifdef SEISINV_HAVE_AVX2
void si_wino_input_avx2(float *dst, size_t dst_stride, const float *in, size_t img_stride,
                        const si_wino_geom *g, size_t nr, size_t t0, size_t n);
void si_wino_output_avx2(float *out, size_t out_img_stride, size_t out_cstride, const float *m,
                         size_t m_stride, size_t ldm, const si_wino_geom *g, int co0, int co1,
                         const float *shift, int relu, size_t t0, size_t n);
#endif

#ifdef SEISINV_HAVE_AVX512
void si_wino_input_avx512(float *dst, size_t dst_stride, const float *in, size_t img_stride,
                          const si_wino_geom *g, size_t nr, size_t t0, size_t n);
void si_wino_output_avx512(float *out, size_t out_img_stride, size_t out_cstride, const float *m,
                           size_t m_stride, size_t ldm, const si_wino_geom *g, int co0, int co1,
                           const float *shift, int relu, size_t t0, size_t n);
#endif

#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__) /* armhf runs scalar */
void si_wino_input_neon(float *dst, size_t dst_stride, const float *in, size_t img_stride,
                        const si_wino_geom *g, size_t nr, size_t t0, size_t n);
void si_wino_output_neon(float *out, size_t out_img_stride, size_t out_cstride, const float *m,
                         size_t m_stride, size_t ldm, const si_wino_geom *g, int co0, int co1,
                         const float *shift, int relu, size_t t0, size_t n);
#endif

/* Where tile t of the batch is: image, first output row and column. */
static inline void si_wino_tile(const si_wino_geom *g, size_t t, size_t *img, int *y0, int *x0) {
    const size_t per = (size_t)g->nty * (size_t)g->ntx, r = t % per;
    *img = t / per;
    *y0 = g->ty0[r / (size_t)g->ntx];
    *x0 = g->tx0[r % (size_t)g->ntx];
}

#endif
