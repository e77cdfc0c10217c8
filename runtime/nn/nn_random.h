/* Internal: SeisInvNet weight files with random values and the right names
 * and shapes, for benchmarks and tests that must run without PyTorch. The
 * spec can also spoil one tensor, so the loader's checks can be tested. */
#ifndef SI_NN_RANDOM_H
#define SI_NN_RANDOM_H

#include <stdint.h>

#include "seisinv/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nn_random_spec {
    int S, R, T, H, W; /* 0: paper default */
    uint64_t seed;
    const char *omit;    /* leave this tensor out */
    const char *reshape; /* make this tensor's first dimension one larger */
    const char *poison;  /* put a NaN into this tensor */
    const char *extra;   /* add a tensor of this name */
    int no_metadata;     /* write no "__metadata__" (paper defaults apply) */
} nn_random_spec;

/* Writes a safetensors file: He-initialised convs and linears, BatchNorm
 * statistics near (0, 1), metadata from the spec (normalisation defaults). */
si_err nn_random_weights(const char *path, const nn_random_spec *spec);

#ifdef __cplusplus
}
#endif
#endif
