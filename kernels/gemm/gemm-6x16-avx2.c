/* AVX2+FMA micro-kernel, 6×16 tile: 12 ymm accumulators, per k step two
 * B loads and six A broadcasts feed 12 FMAs (2 FMA ports: 6 cycles, while
 * the 8 loads fit the load ports), leaving 4 ymm registers spare. */
#include <immintrin.h>

#include "gemm.h"

enum { MR = 6, NR = 16 };

static void ukernel_6x16(size_t kc, const float *a, const float *b, float *c, size_t ldc, size_t m,
                         size_t n, const si_gemm_tile_epi *epi) {
    __m256 acc[MR][2];
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++)
        acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    /* C is read by the epilogue (accumulate) or written: start fetching it now. */
    for (size_t i = 0; i < m; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + n - 1), _MM_HINT_T0);
    }
#pragma GCC unroll 4
    for (size_t p = 0; p < kc; p++, a += MR, b += NR) {
        const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
        for (int i = 0; i < MR; i++) {
            const __m256 ai = _mm256_broadcast_ss(a + i);
            acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
    if (m < MR || n < NR) { /* edge tile: raw sums to a buffer, shared store */
        float tmp[MR * NR];
#pragma GCC unroll 6
        for (int i = 0; i < MR; i++) {
            _mm256_storeu_ps(tmp + i * NR, acc[i][0]);
            _mm256_storeu_ps(tmp + i * NR + 8, acc[i][1]);
        }
        si_gemm_store_tile(tmp, NR, c, ldc, m, n, epi);
        return;
    }
    const unsigned f = epi->flags;
    const int per_col = (f & SI_GEMM_PER_COL) != 0;
    const __m256 zero = _mm256_setzero_ps();
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
        float *ci = c + i * ldc;
#pragma GCC unroll 2
        for (int h = 0; h < 2; h++) {
            __m256 v = acc[i][h];
            if (f & SI_GEMM_ACCUMULATE) v = _mm256_add_ps(v, _mm256_loadu_ps(ci + 8 * h));
            if (epi->bias) v = _mm256_add_ps(v, _mm256_loadu_ps(epi->bias + 8 * h));
            if (epi->scale)
                v = _mm256_mul_ps(v, per_col ? _mm256_loadu_ps(epi->scale + 8 * h)
                                             : _mm256_broadcast_ss(epi->scale + i));
            if (epi->shift)
                v = _mm256_add_ps(v, per_col ? _mm256_loadu_ps(epi->shift + 8 * h)
                                             : _mm256_broadcast_ss(epi->shift + i));
            if (f & SI_GEMM_RELU) v = _mm256_max_ps(v, zero);
            _mm256_storeu_ps(ci + 8 * h, v);
        }
    }
}

/* Blocking: a kc×NR B panel (16 KB) stays in L1, the mc×kc A block (120 KB)
 * and kc×nc B block (1 MB) in L2. Measured flat within noise for mc 72–168,
 * kc 256–320, nc 512–2048 on the bench_gemm shapes. */
const si_gemm_kernels si_gemm_6x16_avx2 = {
    .name = "6x16-avx2",
    .isa = SI_ISA_AVX2,
    .mr = MR,
    .nr = NR,
    .mc = 120,
    .kc = 256,
    .nc = 1024,
    .ukernel = ukernel_6x16,
};
