/* Convolution kernels that GEMM does badly, and the glue that lets GEMM do
 * the rest (SPEC §1).
 *
 * - Global layer 1, conv(1→C, [1,7], stride [1,4], pad [0,3]) with the folded
 *   BatchNorm and ReLU: one input channel and K = 7 would make a GEMM with a
 *   7-deep sum, all packing and no compute, so it is a direct kernel.
 * - Neighbour convs, 5×5, stride 1, pad 2, a handful of channels: direct too.
 * - im2col straight into the packed-B panels of kernels/gemm (gemm.h layout)
 *   for every other conv: strided, dilated, padded, batched images. Writing
 *   the plain K×N matrix and letting si_sgemm pack it costs one more pass
 *   over K×N floats: bench_conv measures the direct panels 1.0-1.8× faster
 *   to build on the SeisInvNet shapes (2.4 GHz Xeon, NR 16 and 32). A K×N
 *   matrix is still one call away: a single panel nr = n wide is exactly it.
 * - ConvTranspose2d(k4, s2, p1) as four 2×2 convs (sub-pixel phases): no
 *   col2im, no scatter-add; the four GEMM outputs are interleaved once.
 *
 * Layouts are PyTorch's: activations [C, H, W] with W contiguous (for the
 * encoder H = R receivers, W = T time samples), conv weights [cout, cin, kh, kw],
 * ConvTranspose weights [cin, cout, kh, kw]. No kernel allocates. */
#ifndef SI_KERNELS_CONV_H
#define SI_KERNELS_CONV_H

#include <stddef.h>

#include "isa.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- geometry ------------------------------------------------------------ */

/* One conv over images [cin, h, w]. pad_h / pad_w are the zero rows/columns
 * before the first input row/column; hout / wout are given explicitly so a
 * padding that differs at the two ends (the convT phases) is just a smaller
 * or larger output: every read outside the image is a zero. */
typedef struct si_conv_geom {
    int cin, h, w;
    int kh, kw;
    int stride_h, stride_w;
    int pad_h, pad_w;
    int dil_h, dil_w;
    int hout, wout;
} si_conv_geom;

/* Fills g for a PyTorch Conv2d (same padding at both ends) and computes
 * hout = (h + 2 pad_h - dil_h (kh - 1) - 1) / stride_h + 1 (same for w).
 * Returns -1, g untouched, if a size is not positive or the output is empty. */
int si_conv_geom_init(si_conv_geom *g, int cin, int h, int w, int kh, int kw, int stride_h,
                      int stride_w, int pad_h, int pad_w, int dil_h, int dil_w);

/* Rows of the im2col matrix, cin·kh·kw; row p = (ci·kh + ky)·kw + kx, the
 * order of a flattened weight [cout, cin, kh, kw], so the weights are A as is. */
size_t si_conv_im2col_k(const si_conv_geom *g);

/* Floats si_conv_kernels.im2col writes for n columns with GEMM panel width nr. */
size_t si_conv_im2col_floats(const si_conv_geom *g, size_t nr, size_t n);

/* Global layer 1: output length of a row of t samples, (t - 1) / 4 + 1. */
enum { SI_CONV_G1_KW = 7, SI_CONV_G1_STRIDE = 4, SI_CONV_G1_PAD = 3 };
int si_conv_g1_out_len(int t);

/* Neighbour conv: 5×5, stride 1, pad 2 (output the size of the input). */
enum { SI_CONV_NB_K = 5, SI_CONV_NB_PAD = 2 };

/* --- transposed convolution as four phases --------------------------------
 * ConvTranspose2d(cin→cout, 4, stride 2, pad 1) maps [cin, h, w] to
 * [cout, 2h, 2w]. Output pixel (2m + py, 2n + px) only meets kernel taps
 * ky ≡ py + 1, kx ≡ px + 1 (mod 2), two per axis, and input rows
 * m - 1 + py + dy, dy ∈ {0, 1}, with ky = 3 - py - 2 dy (the same for x).
 * So phase q = 2 py + px is an ordinary 2×2 conv, stride 1, pad 1 - py on
 * top and 1 - px on the left, output h×w, with weights
 *   Wq[co][ci][dy][dx] = W[ci][co][3 - py - 2 dy][3 - px - 2 dx].
 * Each phase is one GEMM (Wq as A, im2col of its geometry as B) with the
 * usual epilogue, into plane q of [4, cout, h, w]; interleave then puts plane
 * q at rows ≡ py, columns ≡ px of the output. */

/* The 2×2 conv geometry of phase (py, px) over input [cin, h, w]. */
void si_convt_phase_geom(si_conv_geom *g, int cin, int h, int w, int py, int px);

/* Re-lays the ConvTranspose weight w [cin, cout, 4, 4] as the four phase
 * weights dst [4][cout][cin·2·2] (each an A matrix, row-major, K = cin·4). */
void si_convt_phase_weights(float *dst, const float *w, int cin, int cout);

/* --- kernels ---------------------------------------------------------------- */

/* Global layer 1 over one shot:
 *   out[c][r][o] = max(0, scale[c] · Σ_k w[c][k] in[r][4o - 3 + k] + shift[c])
 * in [rows, t] (zero outside), w [cout, 7] (= [cout, 1, 1, 7]), scale/shift
 * [cout] (BatchNorm folded with the conv bias), out [cout, rows, g1_out_len(t)];
 * rows, t ≥ 1. */
typedef void (*si_conv_g1_fn)(float *out, const float *in, const float *w, const float *scale,
                              const float *shift, int cout, int rows, int t);

/* Neighbour conv over one shot, 5×5, stride 1, pad 2, plus bias:
 *   out[co][r][t] = bias[co] + Σ_{ci,ky,kx} w[co][ci][ky][kx] in[ci][r+ky-2][t+kx-2]
 * in [cin, rows, t], w [cout, cin, 5, 5], bias [cout] or NULL, out
 * [cout, rows, t] (not aliasing in); rows, t ≥ 1. */
typedef void (*si_conv_nb5_fn)(float *out, const float *in, const float *w, const float *bias,
                               int cin, int cout, int rows, int t);

/* im2col into GEMM B panels. The im2col matrix B has K = si_conv_im2col_k(g)
 * rows and one column per output pixel of a batch of images stored
 * img_stride floats apart (column j = img·hout·wout + oy·wout + ox):
 *   B(p, j) = in[img][ci][oy·sh - ph + ky·dh][ox·sw - pw + kx·dw]   (0 outside)
 * Columns [j0, j0 + n) are written to dst as ceil(n / nr) panels of K×nr,
 * element (p, j) at (j - j0) / nr · K·nr + p·nr + (j - j0) % nr, zero past n:
 * exactly si_gemm_pack_b's layout, so dst is si_sgemm's b_packed for the
 * GEMM whose C is columns j0.. of the output (c = out + j0, n = n). */
typedef void (*si_conv_im2col_fn)(float *dst, const float *in, const si_conv_geom *g,
                                  size_t img_stride, size_t nr, size_t j0, size_t n);

/* Interleaves the four convT phase planes phases [4][c][h][w] (plane
 * 2 py + px) into out [c][2h][2w]: out[ch][2m + py][2n + px] = plane[ch][m][n]. */
typedef void (*si_convt_interleave_fn)(float *out, const float *phases, int c, int h, int w);

typedef struct si_conv_kernels {
    const char *name; /* "scalar", "avx2", "avx512", "neon" */
    si_isa isa;
    si_conv_g1_fn g1;
    si_conv_nb5_fn nb5;
    si_conv_im2col_fn im2col;
    si_convt_interleave_fn interleave;
} si_conv_kernels;

/* The best table the family has at or below `isa` (scalar when it has none:
 * AVX-512 has its own, the AVX2 kernels but the Neighbour conv; NEON has its
 * own on aarch64, armhf runs scalar). Never NULL. */
const si_conv_kernels *si_conv_kernels_for(si_isa isa);

#ifdef __cplusplus
}
#endif
#endif
