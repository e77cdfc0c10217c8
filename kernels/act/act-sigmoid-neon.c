/* Sigmoid, AArch64 AdvSIMD: 4 lanes, exp from SLEEF (Sleef_expf4_u10, the
 * AdvSIMD build, within 1 ulp; it overflows to +inf and underflows to 0 far
 * out, so 1 / (1 + e) saturates to exactly 0 and 1, never NaN). The last
 * partial vector goes through a zero-padded copy: y may be x, so it cannot
 * overlap the vector before. */
#include "act-impl.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <sleef.h>
#include <string.h>

static inline float32x4_t sigmoid4(float32x4_t x) {
    const float32x4_t one = vdupq_n_f32(1.0f);
    return vdivq_f32(one, vaddq_f32(one, Sleef_expf4_u10(vnegq_f32(x))));
}

void si_act_sigmoid_neon(float *y, const float *x, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, sigmoid4(vld1q_f32(x + i)));
    if (i < n) {
        float buf[4] = {0};
        memcpy(buf, x + i, (n - i) * sizeof *buf);
        vst1q_f32(buf, sigmoid4(vld1q_f32(buf)));
        memcpy(y + i, buf, (n - i) * sizeof *buf);
    }
}
#endif
