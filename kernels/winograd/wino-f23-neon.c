/* Winograd F(2×2, 3×3) transforms, AArch64 AdvSIMD: four tiles per vector
 * (lane l = tile t0 + q0 + l). AdvSIMD has no gather, so the loads depend on
 * how the four tiles lie:
 * - regular (one image, one tile row, origins 2d apart, every tap inside):
 *   the four 4×4 windows cover 10 lattice points per row, x0 - d + d·k.
 *   With d = 1 they are contiguous and two vld2q per row deinterleave them
 *   into the four taps; with d > 1 the even and odd points are loaded by
 *   lane (10 loads, not 16) and taps 2, 3 are taps 0, 1 moved one lane on.
 * - otherwise (image borders, a group across tile rows or images): one lane
 *   load per tap and tile from precomputed offsets, masked to zero outside,
 *   as the AVX2 kernel's masked gathers.
 * The output side stores two rows of 8 pixels with vst2q (d = 1, regular),
 * lane stores (d > 1, regular) or a bounds-checked scatter. The arithmetic
 * is the scalar reference's, in the same order: the same bits. */
#include "wino-impl.h"

#if defined(__aarch64__)
#include <arm_neon.h>

#define INLINE static inline __attribute__((always_inline))

enum { L = 4 };

/* The 16 positions ξ are 16 planes ds (or m_stride) floats apart. Their
 * addresses are walked one step at a time behind an empty asm: left to
 * itself GCC keeps 16 base registers (or hoists 16 offsets) and, short of
 * general registers, reloads some from the stack on every channel. */
#define STEP(p, by)                                                                                \
    do {                                                                                           \
        (p) += (by);                                                                               \
        __asm__("" : "+r"(p));                                                                     \
    } while (0)

/* Bᵀ d B for one channel of four tiles: v[4i + j] holds window tap (i, j);
 * position ξ goes to o + ξ·ds. walk: step the address (the paths that are
 * short of general registers) instead of 16 offsets from o (the d = 1 path,
 * which has them to spare). */
INLINE void input_tf(float *o, size_t ds, const float32x4_t v[SI_WINO_POS], const int walk) {
    float32x4_t t[SI_WINO_POS];
    for (int j = 0; j < 4; j++) { /* Bᵀ d */
        t[j] = vsubq_f32(v[j], v[8 + j]);
        t[4 + j] = vaddq_f32(v[4 + j], v[8 + j]);
        t[8 + j] = vsubq_f32(v[8 + j], v[4 + j]);
        t[12 + j] = vsubq_f32(v[4 + j], v[12 + j]);
    }
    for (int i = 0; i < 4; i++) { /* (Bᵀ d) B, ξ = 4i .. 4i + 3 */
        const float32x4_t *r = t + 4 * i;
        const float32x4_t y[4] = {vsubq_f32(r[0], r[2]), vaddq_f32(r[1], r[2]),
                                  vsubq_f32(r[2], r[1]), vsubq_f32(r[1], r[3])};
        for (int j = 0; j < 4; j++) {
            if (!walk) {
                vst1q_f32(o + (size_t)(4 * i + j) * ds, y[j]);
                continue;
            }
            vst1q_f32(o, y[j]);
            if (4 * i + j < SI_WINO_POS - 1) STEP(o, ds);
        }
    }
}

/* Regular group, d = 1: s is the window's top-left input pixel of tile 0. */
static void input_d1(float *base, size_t ds, const float *s, size_t plane, size_t cin, size_t nr,
                     int w) {
    for (size_t ci = 0; ci < cin; ci++, s += plane) {
        float32x4_t v[SI_WINO_POS];
        for (int i = 0; i < 4; i++) {
            const float32x4x2_t a = vld2q_f32(s + (size_t)i * w), b = vld2q_f32(s + (size_t)i * w + 2);
            v[4 * i] = a.val[0], v[4 * i + 1] = a.val[1];
            v[4 * i + 2] = b.val[0], v[4 * i + 3] = b.val[1];
        }
        input_tf(base + ci * nr, ds, v, 0);
    }
}

/* Regular group, d > 1: s as above; row i of the windows is s + i·d·w. */
static void input_dn(float *base, size_t ds, const float *s, size_t plane, size_t cin, size_t nr,
                     int w, int d) {
    const size_t dd = (size_t)d, dw = dd * (size_t)w;
    for (size_t ci = 0; ci < cin; ci++, s += plane) {
        float32x4_t v[SI_WINO_POS];
        const float *p = s;
        for (int i = 0; i < 4; i++, p += dw) {
            /* Opaque to GCC: else it keeps all 40 load addresses as
             * separate induction pointers and spills them. */
            __asm__("" : "+r"(p));
            float32x4_t e = vld1q_dup_f32(p), o = vld1q_dup_f32(p + dd);
            e = vld1q_lane_f32(p + 2 * dd, e, 1), o = vld1q_lane_f32(p + 3 * dd, o, 1);
            e = vld1q_lane_f32(p + 4 * dd, e, 2), o = vld1q_lane_f32(p + 5 * dd, o, 2);
            e = vld1q_lane_f32(p + 6 * dd, e, 3), o = vld1q_lane_f32(p + 7 * dd, o, 3);
            v[4 * i] = e, v[4 * i + 1] = o;
            v[4 * i + 2] = vextq_f32(e, vld1q_dup_f32(p + 8 * dd), 1);
            v[4 * i + 3] = vextq_f32(o, vld1q_dup_f32(p + 9 * dd), 1);
        }
        input_tf(base + ci * nr, ds, v, 1);
    }
}

/* Any group: lane l of tap k reads in + ci·plane + off[k][l], then keeps
 * it where ok[k][l] (zero padding, dead lanes). */
static void input_any(float *base, size_t ds, const float *in, const size_t off[SI_WINO_POS][L],
                      const uint32_t ok[SI_WINO_POS][L], size_t plane, size_t cin, size_t nr) {
    for (size_t ci = 0; ci < cin; ci++, in += plane) {
        float32x4_t v[SI_WINO_POS];
        /* unrolled so v stays in registers; the masks are reloaded (16 of
         * them would not fit beside v and the transform) */
#pragma GCC unroll 16
        for (int k = 0; k < SI_WINO_POS; k++) {
            float32x4_t x = vld1q_dup_f32(in + off[k][0]);
            x = vld1q_lane_f32(in + off[k][1], x, 1);
            x = vld1q_lane_f32(in + off[k][2], x, 2);
            x = vld1q_lane_f32(in + off[k][3], x, 3);
            v[k] = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(x), vld1q_u32(ok[k])));
        }
        input_tf(base + ci * nr, ds, v, 1);
    }
}

void si_wino_input_neon(float *dst, size_t dst_stride, const float *in, size_t img_stride,
                        const si_wino_geom *g, size_t nr, size_t t0, size_t n) {
    if (nr % L) { /* a vector would straddle two panels */
        si_wino_input_scalar(dst, dst_stride, in, img_stride, g, nr, t0, n);
        return;
    }
    const size_t cin = (size_t)g->cin, plane = (size_t)g->h * (size_t)g->w;
    const size_t cols = (n + nr - 1) / nr * nr;
    const int d = g->dil, h = g->h, w = g->w;
    for (size_t q0 = 0; q0 < cols; q0 += L) {
        float *base = dst + q0 / nr * cin * nr + q0 % nr;
        if (q0 >= n) { /* past the last tile: zero, as gemm packing does */
            for (int x = 0; x < SI_WINO_POS; x++)
                for (size_t ci = 0; ci < cin; ci++)
                    vst1q_f32(base + x * dst_stride + ci * nr, vdupq_n_f32(0.0f));
            continue;
        }
        size_t img[L];
        int y0[L], x0[L], live = 0;
        for (int l = 0; l < L && q0 + (size_t)l < n; l++, live++)
            si_wino_tile(g, t0 + q0 + (size_t)l, &img[l], &y0[l], &x0[l]);
        int regular = live == L && y0[0] >= d && y0[0] + 2 * d < h && x0[0] >= d &&
                      x0[0] + 8 * d < w;
        for (int l = 1; regular && l < L; l++)
            regular = img[l] == img[0] && y0[l] == y0[0] && x0[l] == x0[0] + 2 * d * l;
        if (regular) {
            const float *s = in + img[0] * img_stride + (size_t)(y0[0] - d) * w + (x0[0] - d);
            if (d == 1)
                input_d1(base, dst_stride, s, plane, cin, nr, w);
            else
                input_dn(base, dst_stride, s, plane, cin, nr, w, d);
            continue;
        }
        size_t off[SI_WINO_POS][L];
        uint32_t ok[SI_WINO_POS][L];
        for (int l = 0; l < L; l++)
            for (int k = 0; k < SI_WINO_POS; k++) {
                const int y = l < live ? y0[l] + d * (k / 4 - 1) : -1;
                const int x = l < live ? x0[l] + d * (k % 4 - 1) : -1;
                const int inside = y >= 0 && y < h && x >= 0 && x < w;
                off[k][l] = inside ? img[l] * img_stride + (size_t)y * w + (size_t)x : 0;
                ok[k][l] = inside ? ~0u : 0u;
            }
        input_any(base, dst_stride, in, off, ok, plane, cin, nr);
    }
}

/* Lane l of v to o[l·step]. The pointer walks behind an empty asm: else
 * GCC hoists all 16 store offsets of a tile group into registers it does
 * not have and reloads them from the stack for every channel. */
static inline void store_lanes(float *o, size_t step, float32x4_t v) {
    vst1q_lane_f32(o, v, 0);
    o += step;
    __asm__("" : "+r"(o));
    vst1q_lane_f32(o, v, 1);
    o += step;
    __asm__("" : "+r"(o));
    vst1q_lane_f32(o, v, 2);
    o += step;
    __asm__("" : "+r"(o));
    vst1q_lane_f32(o, v, 3);
}

void si_wino_output_neon(float *out, size_t out_img_stride, size_t out_cstride, const float *m,
                         size_t m_stride, size_t ldm, const si_wino_geom *g, int co0, int co1,
                         const float *shift, int relu, size_t t0, size_t n) {
    const int d = g->dil, w = g->w;
    const size_t full = n / L * L;
    for (size_t q0 = 0; q0 < full; q0 += L) {
        size_t img[L];
        int y0[L], x0[L];
        for (int l = 0; l < L; l++)
            si_wino_tile(g, t0 + q0 + (size_t)l, &img[l], &y0[l], &x0[l]);
        /* four tiles along one tile row, all 16 pixels inside */
        int row = x0[0] + 7 * d < w && y0[0] + d < g->h;
        for (int l = 1; row && l < L; l++)
            row = img[l] == img[0] && y0[l] == y0[0] && x0[l] == x0[0] + 2 * d * l;
        for (int co = co0; co < co1; co++) {
            const float *src = m + (size_t)co * ldm + q0;
            float32x4_t mx[SI_WINO_POS], r0[4], r1[4];
            for (int x = 0; x < SI_WINO_POS; x++) {
                mx[x] = vld1q_f32(src);
                if (x < SI_WINO_POS - 1) STEP(src, m_stride);
            }
            for (int j = 0; j < 4; j++) { /* Aᵀ M */
                r0[j] = vaddq_f32(vaddq_f32(mx[j], mx[4 + j]), mx[8 + j]);
                r1[j] = vsubq_f32(vsubq_f32(mx[4 + j], mx[8 + j]), mx[12 + j]);
            }
            const float32x4_t b = vdupq_n_f32(shift ? shift[co] : 0.0f);
            float32x4_t y[4] = {
                /* (Aᵀ M) A: y[2a + c] is pixel (a, c) of each tile */
                vaddq_f32(vaddq_f32(vaddq_f32(r0[0], r0[1]), r0[2]), b),
                vaddq_f32(vsubq_f32(vsubq_f32(r0[1], r0[2]), r0[3]), b),
                vaddq_f32(vaddq_f32(vaddq_f32(r1[0], r1[1]), r1[2]), b),
                vaddq_f32(vsubq_f32(vsubq_f32(r1[1], r1[2]), r1[3]), b),
            };
            if (relu)
                for (int k = 0; k < 4; k++)
                    y[k] = vmaxq_f32(y[k], vdupq_n_f32(0.0f));
            if (row) {
                float *o = out + img[0] * out_img_stride + (size_t)co * out_cstride +
                           (size_t)y0[0] * w + x0[0];
                if (d == 1) {
                    vst2q_f32(o, (float32x4x2_t){{y[0], y[1]}});
                    vst2q_f32(o + w, (float32x4x2_t){{y[2], y[3]}});
                } else {
                    /* pixel (a, c) of tile l at row a·d, column (2l + c)·d */
                    const size_t dd = (size_t)d;
                    __asm__("" : "+r"(o)); /* the four starts from o, not four more IVs */
                    store_lanes(o, 2 * dd, y[0]);
                    store_lanes(o + dd, 2 * dd, y[1]);
                    store_lanes(o + dd * w, 2 * dd, y[2]);
                    store_lanes(o + dd * w + dd, 2 * dd, y[3]);
                }
                continue;
            }
            float tmp[4][L];
            for (int k = 0; k < 4; k++)
                vst1q_f32(tmp[k], y[k]);
            for (int l = 0; l < L; l++) {
                float *o = out + img[l] * out_img_stride + (size_t)co * out_cstride;
                for (int k = 0; k < 4; k++) {
                    const int yy = y0[l] + d * (k / 2), xx = x0[l] + d * (k % 2);
                    if (yy < g->h && xx < w) o[yy * w + xx] = tmp[k][l];
                }
            }
        }
    }
    if (full < n) /* the last 1..3 tiles of the call */
        si_wino_output_scalar(out, out_img_stride, out_cstride, m + full, m_stride, ldm, g, co0,
                              co1, shift, relu, t0 + full, n - full);
}
#endif
