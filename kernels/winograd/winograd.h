/* Winograd F(2×2, 3×3) for 3×3 convs, stride 1, "same" padding (pad =
 * dilation), the deep stride-1 layers of the Global branch: 2.25× fewer
 * multiplies than im2col and a 16/9-smaller packed operand.
 *
 *   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A      per 2×2 output tile, per channel pair
 *
 * with (Lavin & Gray 2016)
 *   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
 *   Aᵀ = [1 1 1 0; 0 1 −1 −1].
 * The sum over input channels becomes 16 GEMMs, one per transform position
 * ξ = 4·i + j: M_ξ[cout × tiles] = U_ξ[cout × cin] · V_ξ[cin × tiles]. The
 * input transform writes V_ξ straight into the packed-B panels of
 * kernels/gemm (gemm.h layout), the output transform reads the M_ξ, adds the
 * per-channel shift, applies ReLU and writes NCHW.
 *
 * A dilated conv (dilation d) is the same on a lattice: a tile is the output
 * pixels (y0 + d·a, x0 + d·b), a, b ∈ {0, 1}, reading input rows
 * y0 + d·(k − 1), k = 0..3 (zero outside). Tile origins come from
 * si_wino_tile_origins, so every output pixel is in exactly one tile (tiles at
 * the far edge may hang over: their outside pixels are not written). */
#ifndef SI_KERNELS_WINOGRAD_H
#define SI_KERNELS_WINOGRAD_H

#include <stddef.h>

#include "isa.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { SI_WINO_POS = 16 }; /* 4×4 transform positions ξ */

/* One conv over a batch of images [cin, h, w], img_stride floats apart,
 * output [cout, h, w]. Tile t of the batch is image t / (nty·ntx), tile row
 * (t / ntx) % nty, tile column t % ntx. */
typedef struct si_wino_geom {
    int cin, h, w, dil;
    int nty, ntx;
    const int *ty0, *tx0; /* [nty], [ntx]: first output row / column of each */
} si_wino_geom;

/* Origins of the tiles along an axis of n pixels with dilation d: for each
 * residue r < d, r, r + 2d, r + 4d, ... < n. Writes them to t0 (capacity
 * (n + 1) / 2 + d is enough) and returns the count. */
int si_wino_tile_origins(int n, int d, int *t0);

/* U_ξ = (G g Gᵀ)_ξ for every output/input channel pair:
 * w [cout, cin, 3, 3] (PyTorch) → u [16][cout][cin] (each an A matrix). */
void si_wino_weights(float *u, const float *w, int cout, int cin);

/* Input transform of tiles [t0, t0 + n): V_ξ (cin × n) into
 * dst + ξ·dst_stride as ceil(n / nr) panels of cin × nr, element (ci, t) at
 * (t − t0) / nr · cin·nr + ci·nr + (t − t0) % nr, zero past n (exactly
 * si_gemm_pack_b's layout). dst_stride ≥ ceil(n / nr)·nr·cin. */
typedef void (*si_wino_input_fn)(float *dst, size_t dst_stride, const float *in, size_t img_stride,
                                 const si_wino_geom *g, size_t nr, size_t t0, size_t n);

/* Output transform of tiles [t0, t0 + n), channels [co0, co1): reads
 * M_ξ[co][t] at m + ξ·m_stride + co·ldm + (t − t0), writes
 *   out[img·out_img_stride + co·out_cstride + y·w + x] = relu?(Y + shift[co])
 * for the tile's pixels inside the image. shift may be NULL (0). */
typedef void (*si_wino_output_fn)(float *out, size_t out_img_stride, size_t out_cstride,
                                  const float *m, size_t m_stride, size_t ldm,
                                  const si_wino_geom *g, int co0, int co1, const float *shift,
                                  int relu, size_t t0, size_t n);

typedef struct si_wino_kernels {
    const char *name; /* "scalar", "avx2", "neon" */
    si_isa isa;
    si_wino_input_fn input;
    si_wino_output_fn output;
} si_wino_kernels;

/* The best table the family has at or below `isa` (AVX-512, AVX2; NEON
 * has its own on aarch64, armhf runs scalar). Never NULL. */
const si_wino_kernels *si_wino_kernels_for(si_isa isa);

#ifdef __cplusplus
}
#endif
#endif
