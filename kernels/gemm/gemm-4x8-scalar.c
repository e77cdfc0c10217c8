/* Scalar micro-kernel, 4×8 tile: the fallback for ISAs the family lacks
 * (the plain loops still auto-vectorise for the baseline ISA). */
#include "gemm.h"

enum { MR = 4, NR = 8 };

static void ukernel_4x8(size_t kc, const float *a, const float *b, float *c, size_t ldc, size_t m,
                        size_t n, const si_gemm_tile_epi *epi) {
    float acc[MR][NR] = {{0}};
    for (size_t p = 0; p < kc; p++, a += MR, b += NR)
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++)
                acc[i][j] += a[i] * b[j];
    si_gemm_store_tile(&acc[0][0], NR, c, ldc, m, n, epi);
}

/* Blocking as for the SIMD tables; not tuned (a fallback). */
const si_gemm_kernels si_gemm_4x8_scalar = {
    .name = "4x8-scalar",
    .isa = SI_ISA_SCALAR,
    .mr = MR,
    .nr = NR,
    .mc = 128,
    .kc = 256,
    .nc = 2048,
    .ukernel = ukernel_4x8,
};
