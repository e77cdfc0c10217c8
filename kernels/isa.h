/* Instruction-set selection shared by all kernel families.
 *
 * Each op family (kernels/fd, kernels/gemm, ...) keeps its own table of
 * function pointers per ISA; this file only decides which ISA is in use:
 * the best one the CPU supports and the build contains, or the one forced
 * with SEISINV_ISA=scalar|avx2|avx512|neon (never one the CPU lacks). */
#ifndef SI_KERNELS_ISA_H
#define SI_KERNELS_ISA_H

typedef enum si_isa {
    SI_ISA_SCALAR = 0,
    SI_ISA_AVX2 = 1,   /* AVX2 + FMA3 */
    SI_ISA_AVX512 = 2, /* AVX-512 F/BW/DQ/VL */
    SI_ISA_NEON = 3,   /* AdvSIMD (aarch64) / NEON-VFPv4 (armhf) */
    SI_ISA_COUNT
} si_isa;

/* 1 if the build contains kernels for `isa` and this CPU can run them. */
int si_isa_supported(si_isa isa);

/* The ISA the library uses: SEISINV_ISA if set and supported, else the best
 * supported one. Computed once. */
si_isa si_isa_active(void);

/* 1 if SEISINV_ISA names an ISA that is unknown or unsupported here
 * (the CLI warns; the library silently uses the best supported one). */
int si_isa_request_ignored(void);

const char *si_isa_name(si_isa isa);

#endif
