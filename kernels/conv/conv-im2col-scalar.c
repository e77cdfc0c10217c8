/* im2col into GEMM B panels, scalar reference: every element from the
 * formula in conv.h, one at a time. */
#include "conv-impl.h"

void si_conv_im2col_scalar(float *dst, const float *in, const si_conv_geom *g, size_t img_stride,
                           size_t nr, size_t j0, size_t n) {
    const size_t k = si_conv_im2col_k(g), npix = (size_t)g->hout * (size_t)g->wout;
    const size_t cols = (n + nr - 1) / nr * nr; /* whole panels */
    for (size_t c = 0; c < cols; c++) {
        float *d = dst + c / nr * k * nr + c % nr;
        if (c >= n) { /* past the last column: zero, as gemm packing does */
            for (size_t p = 0; p < k; p++)
                d[p * nr] = 0.0f;
            continue;
        }
        const size_t j = j0 + c, img = j / npix, pix = j % npix;
        const int oy = (int)(pix / (size_t)g->wout), ox = (int)(pix % (size_t)g->wout);
        const float *im = in + img * img_stride;
        size_t p = 0;
        for (int ci = 0; ci < g->cin; ci++)
            for (int ky = 0; ky < g->kh; ky++)
                for (int kx = 0; kx < g->kw; kx++, p++) {
                    int iy = oy * g->stride_h - g->pad_h + ky * g->dil_h;
                    int ix = ox * g->stride_w - g->pad_w + kx * g->dil_w;
                    int inside = iy >= 0 && iy < g->h && ix >= 0 && ix < g->w;
                    d[p * nr] = inside ? im[((size_t)ci * g->h + iy) * g->w + ix] : 0.0f;
                }
    }
}
