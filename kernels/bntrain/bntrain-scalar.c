/* Training-norm kernels, scalar reference (formulas in bntrain.h). */
#include "bntrain-impl.h"

static double sum(const float *x, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s;
}

static double sumsq_dev(const float *x, size_t n, float mean) {
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = (double)x[i] - mean;
        s += d * d;
    }
    return s;
}

static void apply(float *y, const float *x, size_t n, float scale, float shift, int relu) {
    for (size_t i = 0; i < n; i++) {
        const float v = x[i] * scale + shift;
        y[i] = relu && !(v > 0) ? 0.0f : v;
    }
}

static void bwd_reduce(const float *da, const float *a, const float *x, size_t n, float mean,
                       float rstd, double sums[2]) {
    double s0 = 0, s1 = 0;
    for (size_t i = 0; i < n; i++) {
        const float dy = a && !(a[i] > 0) ? 0.0f : da[i];
        s0 += dy;
        s1 += (double)dy * (((double)x[i] - mean) * rstd);
    }
    sums[0] += s0, sums[1] += s1;
}

static void bwd_apply(float *dx, const float *da, const float *a, const float *x, size_t n,
                      float mean, float c1, float c0, float c2) {
    for (size_t i = 0; i < n; i++) {
        const float dy = a && !(a[i] > 0) ? 0.0f : da[i];
        dx[i] = c1 * dy - c0 - c2 * (x[i] - mean);
    }
}

const si_bntrain_kernels si_bntrain_scalar = {
    .name = "scalar",
    .isa = SI_ISA_SCALAR,
    .sum = sum,
    .sumsq_dev = sumsq_dev,
    .apply = apply,
    .bwd_reduce = bwd_reduce,
    .bwd_apply = bwd_apply,
};
