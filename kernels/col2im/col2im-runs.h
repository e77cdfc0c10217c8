/* The walk the vector col2im kernels share: for each tap row p of the col
 * matrix, the columns are cut into runs of consecutive output pixels on one
 * output row; a run adds to one input row, at stride sw. Stride 1 (every
 * conv backward of SeisInvNet but the strided Global layers) goes to the
 * kernel's vector `add_run` (d[ox] += s[ox] for ox in [a, b)); other strides
 * add element by element. Each element gets one add in the scalar
 * reference's order, so results are bit-identical. Internal; included by
 * col2im-<isa>.c, which passes its own add_run (inlined: static inline). */
#ifndef SI_KERNELS_COL2IM_RUNS_H
#define SI_KERNELS_COL2IM_RUNS_H

#include "col2im-impl.h"

typedef void (*si_col2im_add_run_fn)(float *d, const float *s, int a, int b);

static inline int si_col2im_ceil_div(int a, int b) {
    return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

static inline void si_col2im_runs(float *img, const float *col, size_t ldc, const si_conv_geom *g,
                                  size_t img_stride, size_t j0, size_t n,
                                  si_col2im_add_run_fn add_run) {
    const size_t npix = (size_t)g->hout * (size_t)g->wout;
    const int sw = g->stride_w;
    size_t p = 0;
    for (int ci = 0; ci < g->cin; ci++)
        for (int ky = 0; ky < g->kh; ky++)
            for (int kx = 0; kx < g->kw; kx++, p++) {
                const float *src = col + p * ldc;
                const int off_x = kx * g->dil_w - g->pad_w;
                /* output columns whose input column is inside: [ox_lo, ox_hi) */
                int ox_lo = si_col2im_ceil_div(-off_x, sw);
                int ox_hi = si_col2im_ceil_div(g->w - off_x, sw);
                if (ox_lo < 0) ox_lo = 0;
                if (ox_hi > g->wout) ox_hi = g->wout;
                for (size_t c = 0; c < n;) {
                    const size_t j = j0 + c, im = j / npix, pix = j % npix;
                    const int oy = (int)(pix / (size_t)g->wout), ox0 = (int)(pix % (size_t)g->wout);
                    size_t len = (size_t)(g->wout - ox0);
                    if (len > n - c) len = n - c;
                    const int iy = oy * g->stride_h - g->pad_h + ky * g->dil_h;
                    if (iy >= 0 && iy < g->h) {
                        const int a = ox0 > ox_lo ? ox0 : ox_lo;
                        const int b = ox0 + (int)len < ox_hi ? ox0 + (int)len : ox_hi;
                        float *row = img + im * img_stride + ((size_t)ci * g->h + iy) * g->w;
                        const float *s = src + c - (size_t)ox0;
                        if (sw == 1)
                            add_run(row + off_x, s, a, b);
                        else
                            for (int ox = a; ox < b; ox++)
                                row[ox * sw + off_x] += s[ox];
                    }
                    c += len;
                }
            }
}

#endif
