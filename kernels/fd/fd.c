/* Stencil weights, the per-ISA table lookup and the denormal switch. */
#include "fd.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

int si_fd_stencil_init(si_fd_stencil *st, int order, float dx) {
    /* Taylor weights: second derivative (SPEC §2) and the centred first
     * derivative of the same order. */
    static const double w2[3][5] = {{-2.0, 1.0},
                                    {-5.0 / 2, 4.0 / 3, -1.0 / 12},
                                    {-205.0 / 72, 8.0 / 5, -1.0 / 5, 8.0 / 315, -1.0 / 560}};
    static const double g1[3][4] = {
        {1.0 / 2}, {2.0 / 3, -1.0 / 12}, {4.0 / 5, -1.0 / 5, 4.0 / 105, -1.0 / 280}};
    int i = order == 2 ? 0 : order == 4 ? 1 : order == 8 ? 2 : -1;
    if (i < 0 || !(dx > 0)) return -1;
    double h2 = (double)dx * dx;
    st->half = order / 2;
    st->w0 = (float)(w2[i][0] / h2);
    for (int k = 0; k < 4; k++) {
        st->w[k] = k < st->half ? (float)(w2[i][k + 1] / h2) : 0.0f;
        st->g[k] = k < st->half ? (float)(g1[i][k] / dx) : 0.0f;
    }
    return 0;
}

const si_fd_kernels *si_fd_kernels_for(si_isa isa) {
    switch (isa) {
#ifdef SEISINV_HAVE_AVX512
    case SI_ISA_AVX512:
        return &si_fd_kernels_avx512;
#endif
#ifdef SEISINV_HAVE_AVX2
    case SI_ISA_AVX2:
        return &si_fd_kernels_avx2;
#endif
#ifdef SEISINV_HAVE_NEON
    case SI_ISA_NEON:
        return &si_fd_kernels_neon;
#endif
    default:
        return &si_fd_kernels_scalar;
    }
}

unsigned long si_fd_denormals_off(void) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned long saved = _mm_getcsr();
    _mm_setcsr((unsigned)saved | 0x8040u); /* FTZ | DAZ */
    return saved;
#elif defined(__aarch64__)
    unsigned long saved;
    __asm__ volatile("mrs %0, fpcr" : "=r"(saved));
    __asm__ volatile("msr fpcr, %0" ::"r"(saved | (1ul << 24))); /* FZ */
    return saved;
#else
    return 0;
#endif
}

void si_fd_denormals_restore(unsigned long saved) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr((unsigned)saved);
#elif defined(__aarch64__)
    __asm__ volatile("msr fpcr, %0" ::"r"(saved));
#else
    (void)saved;
#endif
}
