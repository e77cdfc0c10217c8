/* Picks the GEMM kernel table for an ISA: the best one the family has at or
 * below it. Tables are defined next to their micro-kernels. */
#include "gemm.h"

extern const si_gemm_kernels si_gemm_4x8_scalar;
#ifdef SEISINV_HAVE_AVX2
extern const si_gemm_kernels si_gemm_6x16_avx2;
#endif
#ifdef SEISINV_HAVE_AVX512
extern const si_gemm_kernels si_gemm_8x32_avx512;
#endif
#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__) /* armhf: scalar, see gemm-8x12-neon.c */
extern const si_gemm_kernels si_gemm_8x12_neon;
#endif

const si_gemm_kernels *si_gemm_kernels_for(si_isa isa) {
    switch (isa) {
#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__)
    case SI_ISA_NEON:
        return &si_gemm_8x12_neon;
#endif
#ifdef SEISINV_HAVE_AVX512
    case SI_ISA_AVX512:
        return &si_gemm_8x32_avx512;
#else
    case SI_ISA_AVX512: /* fall through to the widest x86 table built */
#endif
#ifdef SEISINV_HAVE_AVX2
    case SI_ISA_AVX2:
        return &si_gemm_6x16_avx2;
#endif
    default:
        return &si_gemm_4x8_scalar;
    }
}
