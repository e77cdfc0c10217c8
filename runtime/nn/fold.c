/* BatchNorm folding (eval mode): y = γ (x − μ)/√(σ² + ε) + β = scale·x + shift,
 * so a conv's weights are scaled per output channel and its bias moves into
 * the shift. In double so the folded weights round once. */
#include <math.h>

#include "nn_internal.h"

void nn_bn_fold(int n, const float *gamma, const float *beta, const float *mean, const float *var,
                const float *bias, float *scale, float *shift) {
    for (int i = 0; i < n; i++) {
        const double s = (double)gamma[i] / sqrt((double)var[i] + NN_EPS);
        const double b = bias ? (double)bias[i] : 0.0;
        scale[i] = (float)s;
        shift[i] = (float)((double)beta[i] + (b - (double)mean[i]) * s);
    }
}
