/* Normalisation kernels (SPEC §1).
 *
 * The Neighbour branch normalises each shot over its whole (C, R, T) block,
 * not per channel: one mean and one variance for all C·R·T values (128 000
 * for 4 × 32 × 1000), biased variance, no affine, eps 1e-5, then ReLU. Sums
 * of that many floats lose digits in float, so the statistics are summed in
 * double (the kernels differ only in how fast they get there). */
#ifndef SI_KERNELS_NORM_H
#define SI_KERNELS_NORM_H

#include <stddef.h>

#include "isa.h"

#ifdef __cplusplus
extern "C" {
#endif

/* out[i] = max(0, (in[i] - mean) / sqrt(var + eps)) over one block of n
 * values, var = mean((in - mean)^2). out may be in (in place). stats, when
 * not NULL, receives {mean, 1 / sqrt(var + eps)}: what a backward pass needs.
 * n = 0 writes nothing (stats {0, 1/sqrt(eps)}). */
typedef void (*si_norm_block_relu_fn)(float *out, float *stats, const float *in, size_t n,
                                      float eps);

typedef struct si_norm_kernels {
    const char *name; /* "scalar", "avx2", "neon" */
    si_isa isa;
    si_norm_block_relu_fn block_relu;
} si_norm_kernels;

/* The best table the family has at or below `isa` (AVX-512 runs AVX2; NEON
 * has its own on aarch64, armhf runs scalar). Never NULL. */
const si_norm_kernels *si_norm_kernels_for(si_isa isa);

#ifdef __cplusplus
}
#endif
#endif
