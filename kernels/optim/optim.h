/* Optimiser updates for training: Adam, element-wise over a parameter
 * tensor, in PyTorch's formula (torch.optim.Adam, no weight decay, no
 * amsgrad):
 *   m = β1·m + (1 − β1)·g
 *   v = β2·v + (1 − β2)·g²
 *   w = w − (lr / bc1) · m / (sqrt(v) / sqrt(bc2) + ε)
 * with bc1 = 1 − β1^t, bc2 = 1 − β2^t for step t (1-based).
 *
 * Every table gives the same bits as the scalar reference: the same IEEE
 * operations in the same order (sqrt and division correctly rounded, no
 * fused multiply-add), so training is reproducible across kernel sets. */
#ifndef SI_KERNELS_OPTIM_H
#define SI_KERNELS_OPTIM_H

#include <stddef.h>

#include "isa.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*si_optim_adam_fn)(float *w, const float *g, float *m, float *v, size_t n, float lr,
                                 float beta1, float beta2, float eps, float bc1, float bc2);

typedef struct si_optim_kernels {
    const char *name; /* "scalar", "avx2", "neon" */
    si_isa isa;
    si_optim_adam_fn adam;
} si_optim_kernels;

/* The best table the family has at or below `isa` (AVX-512 runs AVX2;
 * armhf runs scalar). Never NULL. */
const si_optim_kernels *si_optim_kernels_for(si_isa isa);

#ifdef __cplusplus
}
#endif
#endif
