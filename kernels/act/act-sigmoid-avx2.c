/* Sigmoid, AVX2: 8 lanes, exp from SLEEF (Sleef_expf8_u10, within 1 ulp;
 * it overflows to +inf and underflows to 0 far out, so 1 / (1 + e)
 * saturates to exactly 0 and 1, never NaN). The last partial vector goes through a
 * zero-padded copy so no load or store leaves the arrays. */
#include <immintrin.h>
#include <sleef.h>
#include <string.h>

#include "act-impl.h"

static __m256 sigmoid8(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 e = Sleef_expf8_u10(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

void si_act_sigmoid_avx2(float *y, const float *x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, sigmoid8(_mm256_loadu_ps(x + i)));
    if (i < n) {
        float buf[8] = {0};
        memcpy(buf, x + i, (n - i) * sizeof *buf);
        _mm256_storeu_ps(buf, sigmoid8(_mm256_loadu_ps(buf)));
        memcpy(y + i, buf, (n - i) * sizeof *buf);
    }
}
