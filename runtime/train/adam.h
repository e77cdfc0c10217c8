/* Adam with the poly learning-rate schedule (SPEC §1, issue 5): the
 * hyper-parameters, the bias corrections of step t, and one update of a
 * parameter tensor through the optimiser kernels (kernels/optim). */
#ifndef SI_TRAIN_ADAM_H
#define SI_TRAIN_ADAM_H

#include <stddef.h>

#include "optim/optim.h"
#include "seisinv/train.h"

typedef struct si_adam_hparams {
    double beta1, beta2, eps; /* 0.9, 0.999, 1e-8 */
} si_adam_hparams;

#define SI_ADAM_DEFAULTS ((si_adam_hparams){0.9, 0.999, 1e-8})

/* "poly" schedule: lr · (1 − step/max_step)^0.9 for step in [0, max_step],
 * 0 beyond (and lr itself when max_step <= 0). */
double si_lr_poly(double lr, long long step, long long max_step);

/* One Adam update of n parameters w with gradient g and moments m, v,
 * as optimiser step t (1-based: the first update is t = 1). */
void si_adam_update(const si_optim_kernels *k, const si_adam_hparams *h, float *w, const float *g,
                    float *m, float *v, size_t n, double lr, long long t);

/* How many floats Adam's m (and v) hold for the net: every parameter with a
 * gradient, tensor after tensor in si_net_tensor_at order. */
size_t si_adam_net_size(const si_net *n);

/* One Adam update of every parameter of the net from its gradient, m and v
 * laid out as si_adam_net_size says, as optimiser step t. */
void si_adam_step_net(const si_optim_kernels *k, const si_adam_hparams *h, si_net *n, float *m,
                      float *v, double lr, long long t);

#endif
