/* Adam, scalar reference: the operation order every table follows. */
#include "optim-impl.h"

#include <math.h>

void si_optim_adam_scalar(float *w, const float *g, float *m, float *v, size_t n, float lr,
                          float beta1, float beta2, float eps, float bc1, float bc2) {
    float step, bc2s, ob1, ob2;
    si_optim_adam_consts(lr, beta1, beta2, bc1, bc2, &step, &bc2s, &ob1, &ob2);
    for (size_t i = 0; i < n; i++) {
        const float gi = g[i];
        const float mi = m[i] * beta1 + gi * ob1;
        const float vi = v[i] * beta2 + (gi * gi) * ob2;
        const float denom = sqrtf(vi) / bc2s + eps;
        m[i] = mi, v[i] = vi;
        w[i] = w[i] - step * (mi / denom);
    }
}
