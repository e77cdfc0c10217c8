/* Global layer 1, AArch64 AdvSIMD: 4 outputs per vector along T, a register
 * block of 4 output channels × 2 vectors.
 *
 * As in the AVX2 kernel, a row chunk is first split into its four phases,
 * ph[q][j] = in[4(o0 - 1 + j) + q] (vld4q does the split), so tap k of
 * outputs o..o+3 is one contiguous load: k = 0..2 from ph[k+1][j],
 * k = 3..6 from ph[k-3][j+1]. Each loaded vector serves 4 channels through
 * by-lane FMAs (the 7 taps of 4 channels sit transposed in 7 registers), so
 * 7 loads feed 28 FMAs and the FMA pipes, not the loads, set the pace.
 *
 * No scalar tail: a chunk never ends fewer than 4 outputs past a vector
 * boundary, and its last vector is recomputed over the previous one
 * (same inputs, same bits). Only rows shorter than 4 outputs store lanes. */
#include "conv-impl.h"

#if defined(__aarch64__)
#include <arm_neon.h>

#define INLINE static inline __attribute__((always_inline))

/* Outputs per pass; a chunk takes up to 3 more so no remainder is < 4. */
enum { CHUNK = 256, PH = CHUNK + 8 };

/* ph[q][j] = x[4(o0 - 1 + j) + q] for j in [0, nj), zero outside [0, t). */
static void split_phases(float ph[4][PH], const float *x, int t, int o0, int nj) {
    for (int j = 0; j < nj;) {
        const int base = 4 * (o0 - 1 + j);
        if (j + 4 <= nj && base >= 0 && base + 16 <= t) {
            const float32x4x4_t v = vld4q_f32(x + base);
            vst1q_f32(&ph[0][j], v.val[0]);
            vst1q_f32(&ph[1][j], v.val[1]);
            vst1q_f32(&ph[2][j], v.val[2]);
            vst1q_f32(&ph[3][j], v.val[3]);
            j += 4;
            continue;
        }
        for (int q = 0; q < 4; q++) { /* the row's ends */
            const int i = base + q;
            ph[q][j] = i >= 0 && i < t ? x[i] : 0.0f;
        }
        j++;
    }
}

/* GCC expands a by-lane FMA into a broadcast plus an FMA and hoists the
 * broadcasts out of the loop: 28 of them, more registers than there are, so
 * the loop spilled. An empty asm per iteration hides the weight vectors'
 * values, the broadcasts stay in the loop and fold back into by-element
 * fmla (checked with objdump: no stack traffic in the loop). */
#define OPAQUE(v) __asm__("" : "+w"(v))

/* acc[0..3] += x · w[0..3] lane-wise: one input vector, four channels. */
#define FMA4(acc, x, wv)                                                                           \
    do {                                                                                           \
        const float32x4_t x_ = (x);                                                                \
        (acc)[0] = vfmaq_laneq_f32((acc)[0], x_, (wv), 0);                                         \
        (acc)[1] = vfmaq_laneq_f32((acc)[1], x_, (wv), 1);                                         \
        (acc)[2] = vfmaq_laneq_f32((acc)[2], x_, (wv), 2);                                         \
        (acc)[3] = vfmaq_laneq_f32((acc)[3], x_, (wv), 3);                                         \
    } while (0)

/* The 4 channels' outputs i..i+3 of the chunk, before scale/shift/ReLU. */
INLINE void taps(float32x4_t acc[4], const float ph[4][PH], int i, float32x4_t wt[7]) {
    for (int k = 0; k < SI_CONV_G1_KW; k++)
        OPAQUE(wt[k]);
    const float32x4_t x0 = vld1q_f32(&ph[1][i]);
    acc[0] = vmulq_laneq_f32(x0, wt[0], 0);
    acc[1] = vmulq_laneq_f32(x0, wt[0], 1);
    acc[2] = vmulq_laneq_f32(x0, wt[0], 2);
    acc[3] = vmulq_laneq_f32(x0, wt[0], 3);
    FMA4(acc, vld1q_f32(&ph[2][i]), wt[1]);
    FMA4(acc, vld1q_f32(&ph[3][i]), wt[2]);
    FMA4(acc, vld1q_f32(&ph[0][i + 1]), wt[3]);
    FMA4(acc, vld1q_f32(&ph[1][i + 1]), wt[4]);
    FMA4(acc, vld1q_f32(&ph[2][i + 1]), wt[5]);
    FMA4(acc, vld1q_f32(&ph[3][i + 1]), wt[6]);
}

/* max(0, acc · scale + shift) for channel lane c. */
#define EPI(acc, c) vmaxq_f32(vfmaq_laneq_f32(vdupq_laneq_f32(sh, c), (acc)[c], sc, c), zero)

/* Outputs [0, n) of the chunk for channels c0 .. c0 + nc - 1 (nc ≤ 4; the
 * missing channels compute zeros and are not stored). y0 is channel c0's
 * output for the chunk's first output, cstride floats between channels. */
INLINE void chunk4(float *y0, size_t cstride, const float ph[4][PH], int n, const float *w,
                   const float *scale, const float *shift, int c0, const int nc) {
    float32x4_t wt[7];
    float s4[4] = {0}, h4[4] = {0}, wk[7][4] = {{0}};
    for (int c = 0; c < nc; c++) {
        for (int k = 0; k < SI_CONV_G1_KW; k++)
            wk[k][c] = w[(size_t)(c0 + c) * SI_CONV_G1_KW + k];
        s4[c] = scale[c0 + c], h4[c] = shift[c0 + c];
    }
    for (int k = 0; k < SI_CONV_G1_KW; k++)
        wt[k] = vld1q_f32(wk[k]);
    const float32x4_t sc = vld1q_f32(s4), sh = vld1q_f32(h4), zero = vdupq_n_f32(0.0f);
    float *y[4];
    for (int c = 0; c < 4; c++)
        y[c] = y0 + (size_t)(c < nc ? c : 0) * cstride;
    if (n < 4) { /* a row of 1..3 outputs: lane stores */
        float32x4_t a[4];
        taps(a, ph, 0, wt);
        float tmp[4][4];
        vst1q_f32(tmp[0], EPI(a, 0)), vst1q_f32(tmp[1], EPI(a, 1));
        vst1q_f32(tmp[2], EPI(a, 2)), vst1q_f32(tmp[3], EPI(a, 3));
        for (int c = 0; c < nc; c++)
            for (int i = 0; i < n; i++)
                y[c][i] = tmp[c][i];
        return;
    }
    int i = 0;
    for (; i + 8 <= n; i += 8) { /* 8 independent FMA chains */
        float32x4_t a[4], b[4];
        taps(a, ph, i, wt);
        taps(b, ph, i + 4, wt);
        vst1q_f32(y[0] + i, EPI(a, 0)), vst1q_f32(y[0] + i + 4, EPI(b, 0));
        if (nc > 1) vst1q_f32(y[1] + i, EPI(a, 1)), vst1q_f32(y[1] + i + 4, EPI(b, 1));
        if (nc > 2) vst1q_f32(y[2] + i, EPI(a, 2)), vst1q_f32(y[2] + i + 4, EPI(b, 2));
        if (nc > 3) vst1q_f32(y[3] + i, EPI(a, 3)), vst1q_f32(y[3] + i + 4, EPI(b, 3));
    }
    for (; i < n; i += 4) {
        if (i + 4 > n) i = n - 4; /* the last vector overlaps the one before */
        float32x4_t a[4];
        taps(a, ph, i, wt);
        vst1q_f32(y[0] + i, EPI(a, 0));
        if (nc > 1) vst1q_f32(y[1] + i, EPI(a, 1));
        if (nc > 2) vst1q_f32(y[2] + i, EPI(a, 2));
        if (nc > 3) vst1q_f32(y[3] + i, EPI(a, 3));
    }
}

void si_conv_g1_neon(float *out, const float *in, const float *w, const float *scale,
                     const float *shift, int cout, int rows, int t) {
    _Alignas(16) float ph[4][PH];
    const int tout = si_conv_g1_out_len(t);
    const size_t cstride = (size_t)rows * (size_t)tout;
    for (int r = 0; r < rows; r++) {
        const float *x = in + (size_t)r * t;
        for (int o0 = 0; o0 < tout;) {
            int n = tout - o0;
            if (n > CHUNK + 3) n = CHUNK;
            /* loads reach ph[.][max(n, 4)] */
            split_phases(ph, x, t, o0, (n > 4 ? n : 4) + 1);
            float *y = out + (size_t)r * tout + o0;
            int c0 = 0;
            for (; c0 + 4 <= cout; c0 += 4)
                chunk4(y + (size_t)c0 * cstride, cstride, ph, n, w, scale, shift, c0, 4);
            if (c0 < cout)
                chunk4(y + (size_t)c0 * cstride, cstride, ph, n, w, scale, shift, c0, cout - c0);
            o0 += n;
        }
    }
}
#endif
