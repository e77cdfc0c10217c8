/* Block instance norm + ReLU, scalar reference: the textbook two passes in
 * double (mean, then the mean squared deviation), then the normalisation. */
#include <math.h>

#include "norm-impl.h"

void si_norm_block_relu_scalar(float *out, float *stats, const float *in, size_t n, float eps) {
    double mean = 0.0, var = 0.0;
    if (n > 0) {
        for (size_t i = 0; i < n; i++)
            mean += in[i];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++)
            var += ((double)in[i] - mean) * ((double)in[i] - mean);
        var /= (double)n;
    }
    const double rstd = 1.0 / sqrt(var + (double)eps);
    for (size_t i = 0; i < n; i++) {
        double v = ((double)in[i] - mean) * rstd;
        out[i] = v > 0.0 ? (float)v : 0.0f;
    }
    if (stats) stats[0] = (float)mean, stats[1] = (float)rstd;
}
