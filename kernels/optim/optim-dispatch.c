/* The optimiser kernel tables and the lookup. */
#include "optim-impl.h"

static const si_optim_kernels table_scalar = {
    .name = "scalar", .isa = SI_ISA_SCALAR, .adam = si_optim_adam_scalar};

#ifdef SEISINV_HAVE_AVX2
static const si_optim_kernels table_avx2 = {
    .name = "avx2", .isa = SI_ISA_AVX2, .adam = si_optim_adam_avx2};
#endif

#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__)
static const si_optim_kernels table_neon = {
    .name = "neon", .isa = SI_ISA_NEON, .adam = si_optim_adam_neon};
#endif

const si_optim_kernels *si_optim_kernels_for(si_isa isa) {
    switch (isa) {
#ifdef SEISINV_HAVE_AVX2
    case SI_ISA_AVX512: /* no AVX-512 kernels: AVX2 runs there */
    case SI_ISA_AVX2:
        return &table_avx2;
#endif
#if defined(SEISINV_HAVE_NEON) && defined(__aarch64__)
    case SI_ISA_NEON:
        return &table_neon;
#endif
    default:
        return &table_scalar;
    }
}
