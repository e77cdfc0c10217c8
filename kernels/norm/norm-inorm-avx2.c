/* Block instance norm + ReLU, AVX2+FMA: one pass for the statistics, one to
 * normalise.
 *
 * The statistics pass sums d = x - x[0] and d² in double lanes (4 per
 * vector, 4 independent accumulator pairs to cover the add latency); the
 * shift by the first value keeps E[d²] - E[d]² from cancelling when the data
 * sit far from zero, and double keeps 128k-term sums exact to ~1e-12. The
 * normalisation is float: (x - mean) · rstd, then max 0. */
#include <immintrin.h>
#include <math.h>

#include "norm-impl.h"

void si_norm_block_relu_avx2(float *out, float *stats, const float *in, size_t n, float eps) {
    if (n == 0) {
        if (stats) stats[0] = 0.0f, stats[1] = (float)(1.0 / sqrt((double)eps));
        return;
    }
    const double shift = in[0];
    const __m256d vs = _mm256_set1_pd(shift);
    __m256d s1[4], s2[4];
    for (int u = 0; u < 4; u++)
        s1[u] = s2[u] = _mm256_setzero_pd();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        for (int u = 0; u < 4; u++) {
            __m256d d = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(in + i + 4 * u)), vs);
            s1[u] = _mm256_add_pd(s1[u], d);
            s2[u] = _mm256_fmadd_pd(d, d, s2[u]);
        }
    }
    double sum1 = 0.0, sum2 = 0.0, lane[4];
    for (int u = 0; u < 4; u++) {
        _mm256_storeu_pd(lane, s1[u]);
        sum1 += (lane[0] + lane[1]) + (lane[2] + lane[3]);
        _mm256_storeu_pd(lane, s2[u]);
        sum2 += (lane[0] + lane[1]) + (lane[2] + lane[3]);
    }
    for (; i < n; i++) {
        double d = (double)in[i] - shift;
        sum1 += d, sum2 += d * d;
    }
    const double md = sum1 / (double)n;
    double var = sum2 / (double)n - md * md;
    if (var < 0.0) var = 0.0; /* rounding when all values are (nearly) equal */
    const double mean = shift + md, rstd = 1.0 / sqrt(var + (double)eps);

    const __m256 vm = _mm256_set1_ps((float)mean), vr = _mm256_set1_ps((float)rstd);
    const __m256 zero = _mm256_setzero_ps();
    for (i = 0; i + 8 <= n; i += 8) {
        __m256 v = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(in + i), vm), vr);
        _mm256_storeu_ps(out + i, _mm256_max_ps(v, zero));
    }
    for (; i < n; i++) {
        float v = (in[i] - (float)mean) * (float)rstd;
        out[i] = v > 0.0f ? v : 0.0f;
    }
    if (stats) stats[0] = (float)mean, stats[1] = (float)rstd;
}
