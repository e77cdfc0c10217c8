/* libFuzzer target: the .npy parser on arbitrary bytes. A file it accepts
 * must hold exactly numel finite floats. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "seisinv/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    si_array a;
    if (si_npy_parse(data, size, &a) != SI_OK) {
        si_array_free(&a);
        return 0;
    }
    const int64_t n = si_array_numel(&a);
    if (n < 0 || (uint64_t)n * 4 > size) abort();
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(a.data[i])) abort(); /* the reader promises finite data */
    si_array_free(&a);
    return 0;
}
