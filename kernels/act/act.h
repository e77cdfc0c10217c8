/* Elementwise tail of the decoder (SPEC §1): the Sigmoid after the last
 * BatchNorm, and the centre crop of the 128×128 map to H×W.
 *
 * The runtime crops first and applies the sigmoid to the H·W values kept
 * (elementwise ops commute with the crop), which spares 39% of the exps for
 * 100×100. */
#ifndef SI_KERNELS_ACT_H
#define SI_KERNELS_ACT_H

#include <stddef.h>

#include "isa.h"

#ifdef __cplusplus
extern "C" {
#endif

/* y[i] = 1 / (1 + exp(-x[i])) for i < n; y may be x. Saturates to exactly
 * 0 / 1 for large |x|, NaN stays NaN. */
typedef void (*si_act_sigmoid_fn)(float *y, const float *x, size_t n);

/* dst[ch][i][j] = src[ch][top + i][left + j] for a [c, h_src, w_src] source
 * and a [c, h, w] destination; the window must lie inside the source. */
typedef void (*si_act_crop_fn)(float *dst, const float *src, int c, int h_src, int w_src, int top,
                               int left, int h, int w);

/* First row (column) of the centre crop of length dst out of src:
 * (src - dst) / 2, rounding down (rows 14..113 of 128 for H = 100). */
int si_act_centre_start(int src, int dst);

typedef struct si_act_kernels {
    const char *name; /* "scalar", "avx2", "neon" */
    si_isa isa;
    si_act_sigmoid_fn sigmoid;
    si_act_crop_fn crop;
} si_act_kernels;

/* The best table the family has at or below `isa` (AVX-512 runs AVX2; NEON
 * has its own on aarch64, armhf runs scalar). Never NULL. */
const si_act_kernels *si_act_kernels_for(si_isa isa);

#ifdef __cplusplus
}
#endif
#endif
