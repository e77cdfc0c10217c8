/* col2im, NEON (aarch64 AdvSIMD and armhf NEON-VFPv4): the shared run walk
 * (col2im-runs.h) with 4-lane adds for stride-1 runs; bit-identical to the
 * scalar reference. */
#include <arm_neon.h>

#include "col2im-runs.h"

/* d[ox] += s[ox] for ox in [a, b) */
static void add_run(float *d, const float *s, int a, int b) {
    int ox = a;
    for (; ox + 8 <= b; ox += 8) {
        vst1q_f32(d + ox, vaddq_f32(vld1q_f32(d + ox), vld1q_f32(s + ox)));
        vst1q_f32(d + ox + 4, vaddq_f32(vld1q_f32(d + ox + 4), vld1q_f32(s + ox + 4)));
    }
    for (; ox + 4 <= b; ox += 4)
        vst1q_f32(d + ox, vaddq_f32(vld1q_f32(d + ox), vld1q_f32(s + ox)));
    for (; ox < b; ox++)
        d[ox] += s[ox];
}

void si_col2im_neon(float *img, const float *col, size_t ldc, const si_conv_geom *g,
                    size_t img_stride, size_t j0, size_t n) {
    si_col2im_runs(img, col, ldc, g, img_stride, j0, n, add_run);
}
