/* libFuzzer target: the safetensors reader over a borrowed buffer, then
 * every accessor on what it accepts (tensors, metadata, conversion). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seisinv/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    si_st_file *f;
    if (si_st_open_memory(data, size, &f) != SI_OK) return 0;
    for (size_t i = 0; i < si_st_count(f); i++) {
        const si_st_tensor *t = si_st_at(f, i);
        if (si_st_find(f, t->name) != t) abort();
        const si_st_tensor *req;
        if (si_st_require(f, t->name, t->ndim, t->shape, &req) != SI_OK || req != t) abort();
        /* the data must lie inside the buffer */
        if ((const uint8_t *)t->data < data || (const uint8_t *)t->data + t->nbytes > data + size)
            abort();
        if ((t->dtype == SI_ST_F32 || t->dtype == SI_ST_F16 || t->dtype == SI_ST_BF16) &&
            t->numel <= (1 << 20)) {
            float *dst = malloc((size_t)(t->numel ? t->numel : 1) * sizeof(float));
            if (dst) (void)si_st_to_f32(t, dst);
            free(dst);
        }
    }
    for (size_t i = 0; i < si_st_meta_count(f); i++) {
        const char *k, *v;
        si_st_meta_at(f, i, &k, &v);
        if (si_st_meta(f, k) != v) abort();
    }
    si_st_close(f);
    return 0;
}
