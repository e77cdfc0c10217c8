/* ConvTranspose phase interleave, AVX2: each output row 2m + py is the zip
 * of row m of planes (py, 0) and (py, 1); 8 + 8 inputs make 16 outputs with
 * two unpacks and two lane permutes. Moves only: bit-identical to scalar. */
#include <immintrin.h>

#include "conv-impl.h"

void si_convt_interleave_avx2(float *out, const float *phases, int c, int h, int w) {
    const size_t plane = (size_t)c * h * w;
    for (int ch = 0; ch < c; ch++)
        for (int m = 0; m < h; m++)
            for (int py = 0; py < 2; py++) {
                const size_t at = ((size_t)ch * h + m) * w;
                const float *a = phases + (size_t)(2 * py) * plane + at; /* px = 0 */
                const float *b = a + plane;                              /* px = 1 */
                float *y = out + ((size_t)ch * 2 * h + 2 * m + py) * 2 * w;
                int x = 0;
                for (; x + 8 <= w; x += 8) {
                    __m256 va = _mm256_loadu_ps(a + x), vb = _mm256_loadu_ps(b + x);
                    __m256 lo = _mm256_unpacklo_ps(va, vb); /* a0 b0 a1 b1 | a4 b4 a5 b5 */
                    __m256 hi = _mm256_unpackhi_ps(va, vb); /* a2 b2 a3 b3 | a6 b6 a7 b7 */
                    _mm256_storeu_ps(y + 2 * x, _mm256_permute2f128_ps(lo, hi, 0x20));
                    _mm256_storeu_ps(y + 2 * x + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
                }
                for (; x < w; x++)
                    y[2 * x] = a[x], y[2 * x + 1] = b[x];
            }
}
