/* Block instance norm + ReLU, AArch64 AdvSIMD: one pass for the statistics,
 * one to normalise (the AVX2 kernel's method).
 *
 * The statistics pass widens to double (2 lanes a vector) and sums d = x -
 * x[0] and d² in 4 independent accumulator pairs (covers the add latency);
 * the shift by the first value keeps E[d²] - E[d]² from cancelling when the
 * data sit far from zero, and double keeps 128k-term sums exact to ~1e-12.
 * The normalisation is float: (x - mean) · rstd, then max 0; its last
 * partial vector goes through a padded copy (out may be in, so it cannot
 * overlap the vector before). */
#include "norm-impl.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <math.h>
#include <string.h>

void si_norm_block_relu_neon(float *out, float *stats, const float *in, size_t n, float eps) {
    if (n == 0) {
        if (stats) stats[0] = 0.0f, stats[1] = (float)(1.0 / sqrt((double)eps));
        return;
    }
    const double shift = in[0];
    const float64x2_t vs = vdupq_n_f64(shift);
    float64x2_t s1[4], s2[4];
    for (int u = 0; u < 4; u++)
        s1[u] = s2[u] = vdupq_n_f64(0.0);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const float32x4_t a = vld1q_f32(in + i), b = vld1q_f32(in + i + 4);
        const float64x2_t d[4] = {
            vsubq_f64(vcvt_f64_f32(vget_low_f32(a)), vs), vsubq_f64(vcvt_high_f64_f32(a), vs),
            vsubq_f64(vcvt_f64_f32(vget_low_f32(b)), vs), vsubq_f64(vcvt_high_f64_f32(b), vs)};
        for (int u = 0; u < 4; u++) {
            s1[u] = vaddq_f64(s1[u], d[u]);
            s2[u] = vfmaq_f64(s2[u], d[u], d[u]);
        }
    }
    double sum1 = vaddvq_f64(vaddq_f64(vaddq_f64(s1[0], s1[1]), vaddq_f64(s1[2], s1[3])));
    double sum2 = vaddvq_f64(vaddq_f64(vaddq_f64(s2[0], s2[1]), vaddq_f64(s2[2], s2[3])));
    for (; i < n; i++) { /* fewer than 8 left, once per block */
        const double d = (double)in[i] - shift;
        sum1 += d, sum2 += d * d;
    }
    const double md = sum1 / (double)n;
    double var = sum2 / (double)n - md * md;
    if (var < 0.0) var = 0.0; /* rounding when all values are (nearly) equal */
    const double mean = shift + md, rstd = 1.0 / sqrt(var + (double)eps);

    const float32x4_t vm = vdupq_n_f32((float)mean), vr = vdupq_n_f32((float)rstd);
    const float32x4_t zero = vdupq_n_f32(0.0f);
    for (i = 0; i + 8 <= n; i += 8) {
        const float32x4_t a = vmulq_f32(vsubq_f32(vld1q_f32(in + i), vm), vr);
        const float32x4_t b = vmulq_f32(vsubq_f32(vld1q_f32(in + i + 4), vm), vr);
        vst1q_f32(out + i, vmaxq_f32(a, zero));
        vst1q_f32(out + i + 4, vmaxq_f32(b, zero));
    }
    for (; i < n; i += 4) {
        const size_t m = n - i < 4 ? n - i : 4;
        float buf[4] = {0};
        memcpy(buf, in + i, m * sizeof *buf);
        const float32x4_t a = vmulq_f32(vsubq_f32(vld1q_f32(buf), vm), vr);
        vst1q_f32(buf, vmaxq_f32(a, zero));
        memcpy(out + i, buf, m * sizeof *buf);
    }
    if (stats) stats[0] = (float)mean, stats[1] = (float)rstd;
}
#endif
