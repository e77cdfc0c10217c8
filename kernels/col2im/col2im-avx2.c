/* col2im, AVX2: the shared run walk (col2im-runs.h) with 8-lane adds for
 * stride-1 runs; bit-identical to the scalar reference. */
#include <immintrin.h>

#include "col2im-runs.h"

/* d[ox] += s[ox] for ox in [a, b) */
static void add_run(float *d, const float *s, int a, int b) {
    int ox = a;
    for (; ox + 8 <= b; ox += 8)
        _mm256_storeu_ps(d + ox, _mm256_add_ps(_mm256_loadu_ps(d + ox), _mm256_loadu_ps(s + ox)));
    for (; ox < b; ox++)
        d[ox] += s[ox];
}

void si_col2im_avx2(float *img, const float *col, size_t ldc, const si_conv_geom *g,
                    size_t img_stride, size_t j0, size_t n) {
    si_col2im_runs(img, col, ldc, g, img_stride, j0, n, add_run);
}
