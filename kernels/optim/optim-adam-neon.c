/* Adam, AArch64 AdvSIMD: 4 lanes, the scalar reference's operations in its
 * order (separate multiply and add, never vfmaq), so the bits match. armhf
 * has no vector sqrt or division and runs the scalar table. */
#include "optim-impl.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <string.h>

static inline void adam4(float *w, const float *g, float *m, float *v, float32x4_t b1,
                         float32x4_t b2, float32x4_t ob1, float32x4_t ob2, float32x4_t step,
                         float32x4_t bc2s, float32x4_t eps) {
    const float32x4_t gi = vld1q_f32(g);
    const float32x4_t mi = vaddq_f32(vmulq_f32(vld1q_f32(m), b1), vmulq_f32(gi, ob1));
    const float32x4_t vi =
        vaddq_f32(vmulq_f32(vld1q_f32(v), b2), vmulq_f32(vmulq_f32(gi, gi), ob2));
    const float32x4_t denom = vaddq_f32(vdivq_f32(vsqrtq_f32(vi), bc2s), eps);
    vst1q_f32(m, mi);
    vst1q_f32(v, vi);
    vst1q_f32(w, vsubq_f32(vld1q_f32(w), vmulq_f32(step, vdivq_f32(mi, denom))));
}

void si_optim_adam_neon(float *w, const float *g, float *m, float *v, size_t n, float lr,
                        float beta1, float beta2, float eps, float bc1, float bc2) {
    float step, bc2s, ob1, ob2;
    si_optim_adam_consts(lr, beta1, beta2, bc1, bc2, &step, &bc2s, &ob1, &ob2);
    const float32x4_t b1 = vdupq_n_f32(beta1), b2 = vdupq_n_f32(beta2);
    const float32x4_t o1 = vdupq_n_f32(ob1), o2 = vdupq_n_f32(ob2);
    const float32x4_t st = vdupq_n_f32(step), bs = vdupq_n_f32(bc2s), ep = vdupq_n_f32(eps);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        adam4(w + i, g + i, m + i, v + i, b1, b2, o1, o2, st, bs, ep);
    if (i < n) {
        float tw[4] = {0}, tg[4] = {0}, tm[4] = {0}, tv[4] = {0};
        const size_t r = (n - i) * sizeof(float);
        memcpy(tw, w + i, r), memcpy(tg, g + i, r), memcpy(tm, m + i, r), memcpy(tv, v + i, r);
        adam4(tw, tg, tm, tv, b1, b2, o1, o2, st, bs, ep);
        memcpy(w + i, tw, r), memcpy(m + i, tm, r), memcpy(v + i, tv, r);
    }
}
#endif
