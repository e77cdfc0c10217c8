/* Poly learning rate and Adam's bias corrections, as torch.optim.Adam
 * computes them (in double: 1 − β^t, then rounded to float once). */
#include "adam.h"

#include <math.h>

double si_lr_poly(double lr, long long step, long long max_step) {
    if (max_step <= 0) return lr;
    if (step >= max_step) return 0.0;
    if (step < 0) step = 0;
    return lr * pow(1.0 - (double)step / (double)max_step, 0.9);
}

void si_adam_update(const si_optim_kernels *k, const si_adam_hparams *h, float *w, const float *g,
                    float *m, float *v, size_t n, double lr, long long t) {
    const double bc1 = 1.0 - pow(h->beta1, (double)t), bc2 = 1.0 - pow(h->beta2, (double)t);
    k->adam(w, g, m, v, n, (float)lr, (float)h->beta1, (float)h->beta2, (float)h->eps, (float)bc1,
            (float)bc2);
}
