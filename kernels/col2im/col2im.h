/* col2im: the adjoint of im2col, for the backward pass of a convolution
 * (data gradient) and the forward pass of a transposed convolution.
 *
 * With the im2col matrix of kernels/conv/conv.h (K = cin·kh·kw rows, one
 * column per output pixel j = img·hout·wout + oy·wout + ox of images
 * img_stride floats apart), col2im adds every element back where im2col
 * read it:
 *   img[img][ci][oy·sh − ph + ky·dh][ox·sw − pw + kx·dw] += col[p·ldc + j − j0]
 * for p = (ci·kh + ky)·kw + kx and columns j in [j0, j0 + n); taps that fall in
 * the padding are dropped. The col matrix is plain row-major (ldc ≥ n), the
 * layout kernels/conv's im2col writes when its panel width nr equals n.
 *
 * Columns of one image overlap in the pixels they add to: two threads must
 * not run col2im into the same image at once. No kernel allocates. */
#ifndef SI_KERNELS_COL2IM_H
#define SI_KERNELS_COL2IM_H

#include <stddef.h>

#include "conv/conv.h"
#include "isa.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*si_col2im_fn)(float *img, const float *col, size_t ldc, const si_conv_geom *g,
                             size_t img_stride, size_t j0, size_t n);

typedef struct si_col2im_kernels {
    const char *name; /* "scalar", "avx2", "neon" */
    si_isa isa;
    si_col2im_fn col2im;
} si_col2im_kernels;

/* The best table the family has at or below `isa` (scalar when it has none).
 * Never NULL. */
const si_col2im_kernels *si_col2im_kernels_for(si_isa isa);

#ifdef __cplusplus
}
#endif
#endif
