/* AVX-512 micro-kernel, 8×32 tile: 16 zmm accumulators, per k step two
 * B loads and eight A broadcasts feed 16 FMAs (8 cycles on two 512-bit FMA
 * ports). Eight rows because every M in SeisInvNet (640 trace rows; 512,
 * 256, 128, 64, 32 channels) is a multiple of 8, where 12 or 14 rows waste
 * up to 12% on edge panels; on the large shapes 8×32 measured as fast as
 * 12×32 and 14×32 or faster, and 25% faster at M = 32. Broadcasting A as an
 * FMA memory operand ({1to16}) measured slower. */
#include <immintrin.h>

#include "gemm.h"

enum { MR = 8, NR = 32 };

static void ukernel_avx512(size_t kc, const float *a, const float *b, float *c, size_t ldc,
                           size_t m, size_t n, const si_gemm_tile_epi *epi) {
    __m512 acc[MR][2];
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++)
        acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    for (size_t i = 0; i < m; i++) { /* C is needed at the end: fetch it now */
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + n - 1), _MM_HINT_T0);
    }
#pragma GCC unroll 8 /* measured: 1 < 2 < 4 <= 8 */
    for (size_t p = 0; p < kc; p++, a += MR, b += NR) {
        const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 16
        for (int i = 0; i < MR; i++) {
            const __m512 ai = _mm512_set1_ps(a[i]);
            acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
    if (m < MR || n < NR) { /* edge tile: raw sums to a buffer, shared store */
        float tmp[MR * NR];
#pragma GCC unroll 16
        for (int i = 0; i < MR; i++) {
            _mm512_storeu_ps(tmp + i * NR, acc[i][0]);
            _mm512_storeu_ps(tmp + i * NR + 16, acc[i][1]);
        }
        si_gemm_store_tile(tmp, NR, c, ldc, m, n, epi);
        return;
    }
    const unsigned f = epi->flags;
    const int per_col = (f & SI_GEMM_PER_COL) != 0;
    const __m512 zero = _mm512_setzero_ps();
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
        float *ci = c + i * ldc;
#pragma GCC unroll 2
        for (int h = 0; h < 2; h++) {
            __m512 v = acc[i][h];
            if (f & SI_GEMM_ACCUMULATE) v = _mm512_add_ps(v, _mm512_loadu_ps(ci + 16 * h));
            if (epi->bias) v = _mm512_add_ps(v, _mm512_loadu_ps(epi->bias + 16 * h));
            if (epi->scale)
                v = _mm512_mul_ps(v, per_col ? _mm512_loadu_ps(epi->scale + 16 * h)
                                             : _mm512_set1_ps(epi->scale[i]));
            if (epi->shift)
                v = _mm512_add_ps(v, per_col ? _mm512_loadu_ps(epi->shift + 16 * h)
                                             : _mm512_set1_ps(epi->shift[i]));
            if (f & SI_GEMM_RELU) v = _mm512_max_ps(v, zero);
            _mm512_storeu_ps(ci + 16 * h, v);
        }
    }
}

/* Blocking: a kc×NR B panel (32 KB) in L1, the mc×kc A block (64 KB) and
 * the kc×nc B block (1 MB) in L2; best of the mc 32–128, kc 192–384,
 * nc 512–2048 tried. */
const si_gemm_kernels si_gemm_8x32_avx512 = {
    .name = "8x32-avx512",
    .isa = SI_ISA_AVX512,
    .mr = MR,
    .nr = NR,
    .mc = 64,
    .kc = 256,
    .nc = 1024,
    .ukernel = ukernel_avx512,
};
