/* ConvTranspose phase interleave, AArch64 AdvSIMD: each output row 2m + py
 * is the zip of row m of planes (py, 0) and (py, 1), which is exactly what
 * vst2q stores (4 + 4 inputs, 8 outputs). A row of 4 or more ends with a
 * vector overlapping the one before, not a scalar tail. Moves only:
 * bit-identical to scalar. */
#include "conv-impl.h"

#if defined(__aarch64__)
#include <arm_neon.h>

/* y[2x] = a[x], y[2x + 1] = b[x] for x in [0, w). */
static inline void zip_row(float *y, const float *a, const float *b, int w) {
    if (w < 4) {
        for (int x = 0; x < w; x++)
            y[2 * x] = a[x], y[2 * x + 1] = b[x];
        return;
    }
    int x = 0;
    for (; x + 8 <= w; x += 8) {
        vst2q_f32(y + 2 * x, (float32x4x2_t){{vld1q_f32(a + x), vld1q_f32(b + x)}});
        vst2q_f32(y + 2 * x + 8, (float32x4x2_t){{vld1q_f32(a + x + 4), vld1q_f32(b + x + 4)}});
    }
    if (x + 4 <= w) {
        vst2q_f32(y + 2 * x, (float32x4x2_t){{vld1q_f32(a + x), vld1q_f32(b + x)}});
        x += 4;
    }
    if (x < w) {
        x = w - 4;
        vst2q_f32(y + 2 * x, (float32x4x2_t){{vld1q_f32(a + x), vld1q_f32(b + x)}});
    }
}

void si_convt_interleave_neon(float *out, const float *phases, int c, int h, int w) {
    const size_t plane = (size_t)c * h * w;
    for (int ch = 0; ch < c; ch++)
        for (int m = 0; m < h; m++)
            for (int py = 0; py < 2; py++) {
                const float *a = phases + (size_t)(2 * py) * plane + ((size_t)ch * h + m) * w;
                zip_row(out + ((size_t)ch * 2 * h + 2 * m + py) * 2 * w, a, a + plane, w);
            }
}
#endif
