/* Training-norm kernels, AVX2 + FMA: eight floats at a time, reductions
 * widened to double in two 4-lane accumulators (so they agree with the
 * scalar reference to double rounding, not bit for bit); element-wise passes
 * with the same operation order as the scalar code (bit-identical, no FMA
 * contraction there). Tails run the scalar reference on what is left. */
#include <immintrin.h>

#include "bntrain-impl.h"

static double hsum(__m256d v) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

static __m256 relu_mask(const float *a, size_t i) { /* all ones where a > 0 */
    return _mm256_cmp_ps(_mm256_loadu_ps(a + i), _mm256_setzero_ps(), _CMP_GT_OQ);
}

static double sum(const float *x, size_t n) {
    __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        lo = _mm256_add_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
        hi = _mm256_add_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
    }
    double s = hsum(_mm256_add_pd(lo, hi));
    return s + si_bntrain_scalar.sum(x + i, n - i);
}

static double sumsq_dev(const float *x, size_t n, float mean) {
    __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();
    const __m256d m = _mm256_set1_pd(mean);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256d a = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), m);
        const __m256d b = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), m);
        lo = _mm256_fmadd_pd(a, a, lo);
        hi = _mm256_fmadd_pd(b, b, hi);
    }
    double s = hsum(_mm256_add_pd(lo, hi));
    return s + si_bntrain_scalar.sumsq_dev(x + i, n - i, mean);
}

static void apply(float *y, const float *x, size_t n, float scale, float shift, int relu) {
    const __m256 sc = _mm256_set1_ps(scale), sh = _mm256_set1_ps(shift);
    const __m256 zero = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), sc), sh);
        if (relu) v = _mm256_and_ps(v, _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
        _mm256_storeu_ps(y + i, v);
    }
    si_bntrain_scalar.apply(y + i, x + i, n - i, scale, shift, relu);
}

static void bwd_reduce(const float *da, const float *a, const float *x, size_t n, float mean,
                       float rstd, double sums[2]) {
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    const __m256d m = _mm256_set1_pd(mean), r = _mm256_set1_pd(rstd);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 dy = _mm256_loadu_ps(da + i);
        if (a) dy = _mm256_and_ps(dy, relu_mask(a, i));
        const __m256 v = _mm256_loadu_ps(x + i);
        for (int h = 0; h < 2; h++) {
            const __m256d d =
                _mm256_cvtps_pd(h ? _mm256_extractf128_ps(dy, 1) : _mm256_castps256_ps128(dy));
            const __m256d xv =
                _mm256_cvtps_pd(h ? _mm256_extractf128_ps(v, 1) : _mm256_castps256_ps128(v));
            s0 = _mm256_add_pd(s0, d);
            s1 = _mm256_fmadd_pd(d, _mm256_mul_pd(_mm256_sub_pd(xv, m), r), s1);
        }
    }
    sums[0] += hsum(s0), sums[1] += hsum(s1);
    si_bntrain_scalar.bwd_reduce(da + i, a ? a + i : NULL, x + i, n - i, mean, rstd, sums);
}

static void bwd_apply(float *dx, const float *da, const float *a, const float *x, size_t n,
                      float mean, float c1, float c0, float c2) {
    const __m256 vc1 = _mm256_set1_ps(c1), vc0 = _mm256_set1_ps(c0), vc2 = _mm256_set1_ps(c2);
    const __m256 vm = _mm256_set1_ps(mean);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 dy = _mm256_loadu_ps(da + i);
        if (a) dy = _mm256_and_ps(dy, relu_mask(a, i));
        const __m256 t = _mm256_mul_ps(vc2, _mm256_sub_ps(_mm256_loadu_ps(x + i), vm));
        _mm256_storeu_ps(dx + i, _mm256_sub_ps(_mm256_sub_ps(_mm256_mul_ps(vc1, dy), vc0), t));
    }
    si_bntrain_scalar.bwd_apply(dx + i, da + i, a ? a + i : NULL, x + i, n - i, mean, c1, c0, c2);
}

const si_bntrain_kernels si_bntrain_avx2 = {
    .name = "avx2",
    .isa = SI_ISA_AVX2,
    .sum = sum,
    .sumsq_dev = sumsq_dev,
    .apply = apply,
    .bwd_reduce = bwd_reduce,
    .bwd_apply = bwd_apply,
};
