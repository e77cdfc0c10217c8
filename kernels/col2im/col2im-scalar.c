/* col2im, scalar reference: every element from the formula in col2im.h,
 * tap row p outermost (the order the vector kernels add in, so they match
 * bit for bit). */
#include "col2im-impl.h"

void si_col2im_scalar(float *img, const float *col, size_t ldc, const si_conv_geom *g,
                      size_t img_stride, size_t j0, size_t n) {
    const size_t npix = (size_t)g->hout * (size_t)g->wout;
    size_t p = 0;
    for (int ci = 0; ci < g->cin; ci++)
        for (int ky = 0; ky < g->kh; ky++)
            for (int kx = 0; kx < g->kw; kx++, p++)
                for (size_t c = 0; c < n; c++) {
                    const size_t j = j0 + c, im = j / npix, pix = j % npix;
                    const int oy = (int)(pix / (size_t)g->wout), ox = (int)(pix % (size_t)g->wout);
                    const int iy = oy * g->stride_h - g->pad_h + ky * g->dil_h;
                    const int ix = ox * g->stride_w - g->pad_w + kx * g->dil_w;
                    if (iy >= 0 && iy < g->h && ix >= 0 && ix < g->w)
                        img[im * img_stride + ((size_t)ci * g->h + iy) * g->w + ix] +=
                            col[p * ldc + c];
                }
}
