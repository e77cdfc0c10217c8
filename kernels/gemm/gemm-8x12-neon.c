/* AArch64 AdvSIMD micro-kernel, 8×12 tile: 24 q-register accumulators; per
 * k step two A loads (8 rows) and three B loads (12 columns) feed 24 FMAs by
 * element (fmla vD.4s, vB.4s, vA.s[lane]), so A needs no broadcasts and the
 * loop holds 29 of the 32 q registers. Eight rows for the reason given in
 * gemm-8x32-avx512.c (every SeisInvNet M is a multiple of 8); twelve columns
 * because 8×16 would need 32 accumulators. FMA by element does not exist on
 * ARMv7 (and its 16 q registers would not hold this tile), so on armhf the
 * file is empty and gemm-dispatch.c gives NEON the scalar table. */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "gemm.h"

enum { MR = 8, NR = 12 };

/* Row i of the tile (lane l of A vector av) += a[i] * b[0..12). */
#define ROW(i, av, l)                                                                              \
    acc##i##0 = vfmaq_laneq_f32(acc##i##0, b0, av, l);                                             \
    acc##i##1 = vfmaq_laneq_f32(acc##i##1, b1, av, l);                                             \
    acc##i##2 = vfmaq_laneq_f32(acc##i##2, b2, av, l)

#define ROW_DECL(i) float32x4_t acc##i##0 = z, acc##i##1 = z, acc##i##2 = z

/* max(v, 0) as the scalar store rounds it: NaN and -0 give +0. */
static inline float32x4_t relu(float32x4_t v) {
    return vreinterpretq_f32_u32(
        vandq_u32(vcgtq_f32(v, vdupq_n_f32(0.0f)), vreinterpretq_u32_f32(v)));
}

/* The epilogue of a whole row (12 values in r0..r2) into c. */
static inline void store_row(float *c, size_t i, float32x4_t r0, float32x4_t r1, float32x4_t r2,
                             const si_gemm_tile_epi *epi) {
    const unsigned f = epi->flags;
    const int per_col = (f & SI_GEMM_PER_COL) != 0;
    float32x4_t r[3] = {r0, r1, r2};
    for (int h = 0; h < 3; h++) {
        float32x4_t v = r[h];
        if (f & SI_GEMM_ACCUMULATE) v = vaddq_f32(v, vld1q_f32(c + 4 * h));
        if (epi->bias) v = vaddq_f32(v, vld1q_f32(epi->bias + 4 * h));
        if (epi->scale)
            v = vmulq_f32(v, per_col ? vld1q_f32(epi->scale + 4 * h) : vdupq_n_f32(epi->scale[i]));
        if (epi->shift)
            v = vaddq_f32(v, per_col ? vld1q_f32(epi->shift + 4 * h) : vdupq_n_f32(epi->shift[i]));
        if (f & SI_GEMM_RELU) v = relu(v);
        vst1q_f32(c + 4 * h, v);
    }
}

static void ukernel_8x12(size_t kc, const float *a, const float *b, float *c, size_t ldc, size_t m,
                         size_t n, const si_gemm_tile_epi *epi) {
    const float32x4_t z = vdupq_n_f32(0.0f);
    ROW_DECL(0);
    ROW_DECL(1);
    ROW_DECL(2);
    ROW_DECL(3);
    ROW_DECL(4);
    ROW_DECL(5);
    ROW_DECL(6);
    ROW_DECL(7);
    /* C is read by the epilogue (accumulate) or written: start fetching it now. */
    for (size_t i = 0; i < m; i++) {
        __builtin_prefetch(c + i * ldc, 1);
        __builtin_prefetch(c + i * ldc + n - 1, 1);
    }
#pragma GCC unroll 2
    for (size_t p = 0; p < kc; p++, a += MR, b += NR) {
        const float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
        const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
        ROW(0, a0, 0);
        ROW(1, a0, 1);
        ROW(2, a0, 2);
        ROW(3, a0, 3);
        ROW(4, a1, 0);
        ROW(5, a1, 1);
        ROW(6, a1, 2);
        ROW(7, a1, 3);
    }
    const float32x4_t rows[MR][3] = {
        {acc00, acc01, acc02}, {acc10, acc11, acc12}, {acc20, acc21, acc22},
        {acc30, acc31, acc32}, {acc40, acc41, acc42}, {acc50, acc51, acc52},
        {acc60, acc61, acc62}, {acc70, acc71, acc72},
    };
    if (m < MR || n < NR) { /* edge tile: raw sums to a buffer, shared store */
        float tmp[MR * NR];
        for (int i = 0; i < MR; i++)
            for (int h = 0; h < 3; h++)
                vst1q_f32(tmp + i * NR + 4 * h, rows[i][h]);
        si_gemm_store_tile(tmp, NR, c, ldc, m, n, epi);
        return;
    }
    for (size_t i = 0; i < MR; i++)
        store_row(c + i * ldc, i, rows[i][0], rows[i][1], rows[i][2], epi);
}

#undef ROW
#undef ROW_DECL

/* Blocking (not tuned on hardware yet: sized for 64 KB L1D and 1 MB L2, as
 * on Neoverse N1 / Cortex-A76): a kc×NR B panel (12 KB) and the kc×MR A
 * panel (8 KB) in L1, the mc×kc A block (128 KB) in L2, the kc×nc B block
 * (768 KB) in L2 or L3. */
const si_gemm_kernels si_gemm_8x12_neon = {
    .name = "8x12-neon",
    .isa = SI_ISA_NEON,
    .mr = MR,
    .nr = NR,
    .mc = 128,
    .kc = 256,
    .nc = 768,
    .ukernel = ukernel_8x12,
};
#endif
