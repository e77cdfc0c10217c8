/* Adam, AVX2: 8 lanes, the scalar reference's operations in its order
 * (explicit multiply then add, no FMA), so the bits match. The last partial
 * vector goes through zero-padded copies. */
#include <immintrin.h>
#include <string.h>

#include "optim-impl.h"

static inline void adam8(float *w, const float *g, float *m, float *v, __m256 b1, __m256 b2,
                         __m256 ob1, __m256 ob2, __m256 step, __m256 bc2s, __m256 eps) {
    const __m256 gi = _mm256_loadu_ps(g);
    const __m256 mi = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(m), b1), _mm256_mul_ps(gi, ob1));
    const __m256 vi = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(v), b2),
                                    _mm256_mul_ps(_mm256_mul_ps(gi, gi), ob2));
    const __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), bc2s), eps);
    _mm256_storeu_ps(m, mi);
    _mm256_storeu_ps(v, vi);
    _mm256_storeu_ps(
        w, _mm256_sub_ps(_mm256_loadu_ps(w), _mm256_mul_ps(step, _mm256_div_ps(mi, denom))));
}

void si_optim_adam_avx2(float *w, const float *g, float *m, float *v, size_t n, float lr,
                        float beta1, float beta2, float eps, float bc1, float bc2) {
    float step, bc2s, ob1, ob2;
    si_optim_adam_consts(lr, beta1, beta2, bc1, bc2, &step, &bc2s, &ob1, &ob2);
    const __m256 b1 = _mm256_set1_ps(beta1), b2 = _mm256_set1_ps(beta2);
    const __m256 o1 = _mm256_set1_ps(ob1), o2 = _mm256_set1_ps(ob2);
    const __m256 st = _mm256_set1_ps(step), bs = _mm256_set1_ps(bc2s), ep = _mm256_set1_ps(eps);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        adam8(w + i, g + i, m + i, v + i, b1, b2, o1, o2, st, bs, ep);
    if (i < n) {
        float tw[8] = {0}, tg[8] = {0}, tm[8] = {0}, tv[8] = {0};
        const size_t r = (n - i) * sizeof(float);
        memcpy(tw, w + i, r), memcpy(tg, g + i, r), memcpy(tm, m + i, r), memcpy(tv, v + i, r);
        adam8(tw, tg, tm, tv, b1, b2, o1, o2, st, bs, ep);
        memcpy(w + i, tw, r), memcpy(m + i, tm, r), memcpy(v + i, tv, r);
    }
}
