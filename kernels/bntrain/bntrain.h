/* Normalisation in training mode: the per-channel (or per-image) reductions
 * and element-wise passes of BatchNorm and instance norm, forward and
 * backward, over contiguous runs of one channel (a [N, C, P] tensor calls
 * them once per (n, c) run of P floats and sums the reductions).
 *
 * Forward, per channel: mean = Σx / M, var = Σ(x − mean)² / M (two passes:
 * no cancellation), y = act(x·scale + shift) with scale = γ/√(var + ε),
 * shift = β − mean·scale, act ReLU or identity.
 * Backward, with dy = da·[a > 0] (ReLU; da itself without one) and
 * x̂ = (x − mean)·rstd: sdy = Σ dy, sdyx = Σ dy·x̂, then
 *   dx = c1·dy − c0 − c2·(x − mean),
 * c1 = γ·rstd, c0 = c1·sdy/M, c2 = c1·rstd·sdyx/M.
 * Reductions return double sums (accumulated in double). No allocation. */
#ifndef SI_KERNELS_BNTRAIN_H
#define SI_KERNELS_BNTRAIN_H

#include <stddef.h>

#include "isa.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct si_bntrain_kernels {
    const char *name;
    si_isa isa;
    /* Σ x[i] */
    double (*sum)(const float *x, size_t n);
    /* Σ (x[i] − mean)² */
    double (*sumsq_dev)(const float *x, size_t n, float mean);
    /* y[i] = x[i]·scale + shift, then max(·, 0) when relu */
    void (*apply)(float *y, const float *x, size_t n, float scale, float shift, int relu);
    /* sums[0] += Σ dy, sums[1] += Σ dy·(x − mean)·rstd, dy = da·[a > 0] (a NULL: dy = da) */
    void (*bwd_reduce)(const float *da, const float *a, const float *x, size_t n, float mean,
                       float rstd, double sums[2]);
    /* dx[i] = c1·dy − c0 − c2·(x[i] − mean), dy as above; dx may alias da */
    void (*bwd_apply)(float *dx, const float *da, const float *a, const float *x, size_t n,
                      float mean, float c1, float c0, float c2);
} si_bntrain_kernels;

/* The best table at or below `isa` (scalar when the family has none). */
const si_bntrain_kernels *si_bntrain_kernels_for(si_isa isa);

#ifdef __cplusplus
}
#endif
#endif
