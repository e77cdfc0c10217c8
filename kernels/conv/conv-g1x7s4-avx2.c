/* Global layer 1, AVX2+FMA: 8 outputs per vector along T.
 *
 * Output o reads in[4o - 3 .. 4o + 3], a stride-4 gather. So each row is
 * first split into its four phases, ph[q][j] = in[4(o0 - 1 + j) + q] (zero
 * outside the row), after which tap k of outputs o..o+7 is one contiguous
 * load: k = 0..2 from ph[k+1][j], k = 3..6 from ph[k-3][j+1]. The phases of
 * a row chunk sit in L1 and serve all C channels; per channel the 7 weights,
 * scale and shift stay in registers and the output row is one store stream. */
#include <immintrin.h>

#include "conv-impl.h"

enum { CHUNK = 256 }; /* outputs per pass; 4 phase rows of it live on the stack */

/* Mask selecting the first `n` (0..8) lanes. */
static __m256i first_lanes(int n) {
    static const int m[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(m + 8 - n));
}

/* ph[q][j] = x[4(o0 - 1 + j) + q] for j in [0, nj), zero outside [0, t). */
static void split_phases(float ph[4][CHUNK + 16], const float *x, int t, int o0, int nj) {
    for (int j = 0; j < nj; j++) {
        int base = 4 * (o0 - 1 + j);
        if (base >= 0 && base + 4 <= t) {
            for (int q = 0; q < 4; q++)
                ph[q][j] = x[base + q];
        } else {
            for (int q = 0; q < 4; q++) {
                int i = base + q;
                ph[q][j] = i >= 0 && i < t ? x[i] : 0.0f;
            }
        }
    }
}

void si_conv_g1_avx2(float *out, const float *in, const float *w, const float *scale,
                     const float *shift, int cout, int rows, int t) {
    _Alignas(32) float ph[4][CHUNK + 16];
    const int tout = si_conv_g1_out_len(t);
    const __m256 zero = _mm256_setzero_ps();
    for (int r = 0; r < rows; r++) {
        const float *x = in + (size_t)r * t;
        for (int o0 = 0; o0 < tout; o0 += CHUNK) {
            const int n = tout - o0 < CHUNK ? tout - o0 : CHUNK;
            const int nv = (n + 7) / 8 * 8; /* whole vectors; loads reach ph[.][nv] */
            split_phases(ph, x, t, o0, nv + 1);
            const __m256i tail = first_lanes(n - (nv - 8));
            for (int c = 0; c < cout; c++) {
                const float *wc = w + (size_t)c * SI_CONV_G1_KW;
                const __m256 w0 = _mm256_set1_ps(wc[0]), w1 = _mm256_set1_ps(wc[1]),
                             w2 = _mm256_set1_ps(wc[2]), w3 = _mm256_set1_ps(wc[3]),
                             w4 = _mm256_set1_ps(wc[4]), w5 = _mm256_set1_ps(wc[5]),
                             w6 = _mm256_set1_ps(wc[6]);
                const __m256 sc = _mm256_set1_ps(scale[c]), sh = _mm256_set1_ps(shift[c]);
                float *y = out + ((size_t)c * rows + r) * tout + o0;
                for (int i = 0; i < nv; i += 8) {
                    /* Two chains of FMAs, even and odd taps, halve the latency. */
                    __m256 a = _mm256_mul_ps(w0, _mm256_loadu_ps(&ph[1][i]));
                    __m256 b = _mm256_mul_ps(w1, _mm256_loadu_ps(&ph[2][i]));
                    a = _mm256_fmadd_ps(w2, _mm256_loadu_ps(&ph[3][i]), a);
                    b = _mm256_fmadd_ps(w3, _mm256_loadu_ps(&ph[0][i + 1]), b);
                    a = _mm256_fmadd_ps(w4, _mm256_loadu_ps(&ph[1][i + 1]), a);
                    b = _mm256_fmadd_ps(w5, _mm256_loadu_ps(&ph[2][i + 1]), b);
                    a = _mm256_fmadd_ps(w6, _mm256_loadu_ps(&ph[3][i + 1]), a);
                    __m256 v = _mm256_max_ps(_mm256_fmadd_ps(_mm256_add_ps(a, b), sc, sh), zero);
                    if (i + 8 <= n)
                        _mm256_storeu_ps(y + i, v);
                    else
                        _mm256_maskstore_ps(y + i, tail, v);
                }
            }
        }
    }
}
