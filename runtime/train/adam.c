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

size_t si_adam_net_size(const si_net *n) {
    size_t total = 0;
    for (int i = 0; i < si_net_tensor_count(n); i++) {
        const si_net_tensor t = si_net_tensor_at(n, i);
        if (t.grad) total += t.numel;
    }
    return total;
}

void si_adam_step_net(const si_optim_kernels *k, const si_adam_hparams *h, si_net *n, float *m,
                      float *v, double lr, long long t) {
    size_t off = 0;
    for (int i = 0; i < si_net_tensor_count(n); i++) {
        const si_net_tensor p = si_net_tensor_at(n, i);
        if (!p.grad) continue;
        si_adam_update(k, h, p.data, p.grad, m + off, v + off, p.numel, lr, t);
        off += p.numel;
    }
}
