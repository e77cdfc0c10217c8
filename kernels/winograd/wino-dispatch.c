/* The Winograd kernel tables and the lookup. */
#include "wino-impl.h"

static const si_wino_kernels table_scalar = {.name = "scalar",
                                             .isa = SI_ISA_SCALAR,
                                             .input = si_wino_input_scalar,
                                             .output = si_wino_output_scalar};

#ifdef SEISINV_HAVE_AVX2
static const si_wino_kernels table_avx2 = {
    .name = "avx2", .isa = SI_ISA_AVX2, .input = si_wino_input_avx2, .output = si_wino_output_avx2};
#endif

#ifdef SEISINV_HAVE_AVX512
static const si_wino_kernels table_avx512 = {.name = "avx512",
                                             .isa = SI_ISA_AVX512,
                                             .input = si_wino_input_avx512,
                                             .output = si_wino_output_avx512};
#endif

#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__) /* armhf runs scalar */
static const si_wino_kernels table_neon = {
    .name = "neon", .isa = SI_ISA_NEON, .input = si_wino_input_neon, .output = si_wino_output_neon};
#endif

const si_wino_kernels *si_wino_kernels_for(si_isa isa) {
    switch (isa) {
#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__)
    case SI_ISA_NEON:
        return &table_neon;
#endif
#ifdef SEISINV_HAVE_AVX512
    case SI_ISA_AVX512:
        return &table_avx512;
#else
    case SI_ISA_AVX512: /* fall through to the widest x86 table built */
#endif
#ifdef SEISINV_HAVE_AVX2
    case SI_ISA_AVX2:
        return &table_avx2;
#endif
    default:
        return &table_scalar;
    }
}
