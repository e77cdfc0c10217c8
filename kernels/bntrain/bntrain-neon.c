/* Training-norm kernels, AArch64 AdvSIMD: four floats at a time,
 * reductions widened to double in 2-lane accumulators (they agree with the
 * scalar reference to double rounding, not bit for bit); element-wise passes
 * with the scalar code's operations in its order (separate multiply and
 * add, never vfmaq: bit-identical). armhf has no double vectors and runs
 * the scalar table. Tails run the scalar reference on what is left. */
#include "bntrain-impl.h"

#if defined(__aarch64__)
#include <arm_neon.h>

static uint32x4_t relu_mask(const float *a, size_t i) { /* all ones where a > 0 */
    return vcgtq_f32(vld1q_f32(a + i), vdupq_n_f32(0.0f));
}

static float32x4_t masked(float32x4_t v, uint32x4_t m) {
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), m));
}

static double sum(const float *x, size_t n) {
    float64x2_t lo = vdupq_n_f64(0), hi = vdupq_n_f64(0);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float32x4_t v = vld1q_f32(x + i);
        lo = vaddq_f64(lo, vcvt_f64_f32(vget_low_f32(v)));
        hi = vaddq_f64(hi, vcvt_high_f64_f32(v));
    }
    double s = vaddvq_f64(vaddq_f64(lo, hi));
    return s + si_bntrain_scalar.sum(x + i, n - i);
}

static double sumsq_dev(const float *x, size_t n, float mean) {
    float64x2_t lo = vdupq_n_f64(0), hi = vdupq_n_f64(0);
    const float64x2_t m = vdupq_n_f64(mean);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float32x4_t v = vld1q_f32(x + i);
        const float64x2_t a = vsubq_f64(vcvt_f64_f32(vget_low_f32(v)), m);
        const float64x2_t b = vsubq_f64(vcvt_high_f64_f32(v), m);
        lo = vfmaq_f64(lo, a, a);
        hi = vfmaq_f64(hi, b, b);
    }
    double s = vaddvq_f64(vaddq_f64(lo, hi));
    return s + si_bntrain_scalar.sumsq_dev(x + i, n - i, mean);
}

static void apply(float *y, const float *x, size_t n, float scale, float shift, int relu) {
    const float32x4_t sc = vdupq_n_f32(scale), sh = vdupq_n_f32(shift);
    const float32x4_t zero = vdupq_n_f32(0.0f);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float32x4_t v = vaddq_f32(vmulq_f32(vld1q_f32(x + i), sc), sh);
        if (relu) v = masked(v, vcgtq_f32(v, zero));
        vst1q_f32(y + i, v);
    }
    si_bntrain_scalar.apply(y + i, x + i, n - i, scale, shift, relu);
}

static void bwd_reduce(const float *da, const float *a, const float *x, size_t n, float mean,
                       float rstd, double sums[2]) {
    float64x2_t s0 = vdupq_n_f64(0), s1 = vdupq_n_f64(0);
    const float64x2_t m = vdupq_n_f64(mean), r = vdupq_n_f64(rstd);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float32x4_t dy = vld1q_f32(da + i);
        if (a) dy = masked(dy, relu_mask(a, i));
        const float32x4_t v = vld1q_f32(x + i);
        const float64x2_t d0 = vcvt_f64_f32(vget_low_f32(dy)), d1 = vcvt_high_f64_f32(dy);
        const float64x2_t x0 = vcvt_f64_f32(vget_low_f32(v)), x1 = vcvt_high_f64_f32(v);
        s0 = vaddq_f64(s0, vaddq_f64(d0, d1));
        s1 = vfmaq_f64(s1, d0, vmulq_f64(vsubq_f64(x0, m), r));
        s1 = vfmaq_f64(s1, d1, vmulq_f64(vsubq_f64(x1, m), r));
    }
    sums[0] += vaddvq_f64(s0), sums[1] += vaddvq_f64(s1);
    si_bntrain_scalar.bwd_reduce(da + i, a ? a + i : NULL, x + i, n - i, mean, rstd, sums);
}

static void bwd_apply(float *dx, const float *da, const float *a, const float *x, size_t n,
                      float mean, float c1, float c0, float c2) {
    const float32x4_t vc1 = vdupq_n_f32(c1), vc0 = vdupq_n_f32(c0), vc2 = vdupq_n_f32(c2);
    const float32x4_t vm = vdupq_n_f32(mean);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float32x4_t dy = vld1q_f32(da + i);
        if (a) dy = masked(dy, relu_mask(a, i));
        const float32x4_t t = vmulq_f32(vc2, vsubq_f32(vld1q_f32(x + i), vm));
        vst1q_f32(dx + i, vsubq_f32(vsubq_f32(vmulq_f32(vc1, dy), vc0), t));
    }
    si_bntrain_scalar.bwd_apply(dx + i, da + i, a ? a + i : NULL, x + i, n - i, mean, c1, c0, c2);
}

const si_bntrain_kernels si_bntrain_neon = {
    .name = "neon",
    .isa = SI_ISA_NEON,
    .sum = sum,
    .sumsq_dev = sumsq_dev,
    .apply = apply,
    .bwd_reduce = bwd_reduce,
    .bwd_apply = bwd_apply,
};
#endif
