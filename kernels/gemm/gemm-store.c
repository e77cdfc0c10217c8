/* The epilogue in plain C: edge tiles of the SIMD kernels and every tile of
 * the scalar one. Same operation order as the vector paths (mul, then add;
 * no contraction), so an element's epilogue rounds the same on every path. */
#include "gemm.h"

void si_gemm_store_tile(const float *acc, size_t ld, float *c, size_t ldc, size_t m, size_t n,
                        const si_gemm_tile_epi *epi) {
    const unsigned f = epi->flags;
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            float v = acc[i * ld + j];
            if (f & SI_GEMM_ACCUMULATE) v += c[i * ldc + j];
            if (epi->bias) v += epi->bias[j];
            size_t r = (f & SI_GEMM_PER_COL) ? j : i;
            if (epi->scale) v *= epi->scale[r];
            if (epi->shift) v += epi->shift[r];
            if ((f & SI_GEMM_RELU) && !(v > 0.0f)) v = 0.0f;
            c[i * ldc + j] = v;
        }
    }
}
