#include "isa.h"

#include <stdlib.h>
#include <string.h>
#include <threads.h>

#if defined(__aarch64__) || defined(__arm__)
#if defined(__linux__) && defined(__arm__)
#include <sys/auxv.h>
#endif
#endif

static const char *const isa_names[SI_ISA_COUNT] = {"scalar", "avx2", "avx512", "neon"};

const char *si_isa_name(si_isa isa) {
    return (unsigned)isa < SI_ISA_COUNT ? isa_names[isa] : "unknown";
}

int si_isa_supported(si_isa isa) {
    switch (isa) {
    case SI_ISA_SCALAR: return 1;
#if defined(__x86_64__) || defined(__i386__)
    case SI_ISA_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case SI_ISA_AVX512:
#ifdef SEISINV_HAVE_AVX512
        __builtin_cpu_init();
        return si_isa_supported(SI_ISA_AVX2) && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vl");
#else
        return 0;
#endif
#endif
#if defined(__aarch64__)
    case SI_ISA_NEON: return 1;
#elif defined(__arm__) && defined(SEISINV_HAVE_NEON)
    case SI_ISA_NEON: {
        unsigned long hw = getauxval(AT_HWCAP);
        return (hw & (1UL << 12)) && (hw & (1UL << 16)); /* HWCAP_NEON, HWCAP_VFPv4 */
    }
#endif
    default: return 0;
    }
}

static si_isa active = SI_ISA_SCALAR;
static int ignored;
static once_flag once = ONCE_FLAG_INIT;

static void choose(void) {
    si_isa best = SI_ISA_SCALAR;
    for (int i = SI_ISA_COUNT - 1; i > 0; i--) {
        if (si_isa_supported((si_isa)i)) {
            best = (si_isa)i;
            break;
        }
    }
    /* Best for now: AVX2 is the x86 target; AVX-512 only where a family has it. */
    active = best;
    const char *req = getenv("SEISINV_ISA");
    if (req && *req) {
        int found = 0;
        for (int i = 0; i < SI_ISA_COUNT; i++) {
            if (strcmp(req, isa_names[i]) == 0 && si_isa_supported((si_isa)i)) {
                active = (si_isa)i;
                found = 1;
            }
        }
        ignored = !found;
    }
}

si_isa si_isa_active(void) {
    call_once(&once, choose);
    return active;
}

int si_isa_request_ignored(void) {
    call_once(&once, choose);
    return ignored;
}
