/* Neighbour conv 5×5 / stride 1 / pad 2, AArch64 AdvSIMD: 4 outputs per
 * vector along T, a register block of CO output channels × TV vectors.
 *
 * The weights need no broadcast loads: for one (ci, ky) a channel's five
 * taps are two overlapping vector loads, w[0..3] and w[1..4], and the FMAs
 * take them by lane (kx 0..3 from the first, kx 4 from lane 3 of the
 * second). Per (ci, ky) the block loads 2·CO + 5·TV vectors for 5·CO·TV
 * FMAs (CO = 4, TV = 4: 28 loads, 80 FMAs; 16 accumulators + 8 weight
 * vectors of the 32 registers). Blocks are 4×4, 2×6 and 1×8: 2×8 spilled
 * an input vector per (ci, ky) with GCC 12 (objdump).
 *
 * The interior blocks read the input rows directly; the first 4 outputs of
 * a row and the last few read a zero-padded copy of the 8-float window
 * instead, so no load leaves the row. Rows above and below are skipped. */
#include "conv-impl.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <string.h>

#define INLINE static inline __attribute__((always_inline))

enum { K = SI_CONV_NB_K, P = SI_CONV_NB_PAD, KK = K * K };

/* Tap kx of every (channel, vector) of the block: weight lane `lane` of wv. */
#define TAP(kx, wv, lane)                                                                          \
    do {                                                                                           \
        for (int v = 0; v < TV; v++) {                                                             \
            const float32x4_t x_ = vld1q_f32(row + (kx) + 4 * v);                                  \
            for (int co = 0; co < CO; co++)                                                        \
                acc[co][v] = vfmaq_laneq_f32(acc[co][v], x_, (wv)[co], lane);                      \
        }                                                                                          \
    } while (0)

/* Outputs x0 .. x0 + 4 TV - 1 of row r, channels co0 .. co0 + CO - 1; every
 * input read x0 - 2 .. x0 + 4 TV + 1 is inside the row. */
INLINE void block(float *out, const float *in, const float *w, const float *bias, int cin, int co0,
                  int rows, int t, int r, int x0, const int CO, const int TV) {
    float32x4_t acc[4][8];
    for (int co = 0; co < CO; co++)
        for (int v = 0; v < TV; v++)
            acc[co][v] = vdupq_n_f32(bias ? bias[co0 + co] : 0.0f);
    for (int ci = 0; ci < cin; ci++) {
        for (int ky = 0; ky < K; ky++) {
            const int iy = r + ky - P;
            if (iy < 0 || iy >= rows) continue;
            const float *row = in + ((size_t)ci * rows + iy) * t + x0 - P;
            const float *wk = w + ((size_t)co0 * cin + ci) * KK + ky * K;
            float32x4_t wa[4], wb[4]; /* taps 0..3 and 1..4 of each channel */
            for (int co = 0; co < CO; co++) {
                wa[co] = vld1q_f32(wk + (size_t)co * cin * KK);
                wb[co] = vld1q_f32(wk + (size_t)co * cin * KK + 1);
            }
            TAP(0, wa, 0);
            TAP(1, wa, 1);
            TAP(2, wa, 2);
            TAP(3, wa, 3);
            TAP(4, wb, 3);
        }
    }
    for (int co = 0; co < CO; co++) {
        float *y = out + ((size_t)(co0 + co) * rows + r) * t + x0;
        for (int v = 0; v < TV; v++)
            vst1q_f32(y + 4 * v, acc[co][v]);
    }
}

/* Outputs x0 .. min(x0 + 4, t) - 1 of row r for every channel, from a
 * zero-padded copy of each input window (image edges, short rows). */
static void edge(float *out, const float *in, const float *w, const float *bias, int cin, int cout,
                 int rows, int t, int r, int x0) {
    const int n = t - x0 < 4 ? t - x0 : 4;
    for (int co = 0; co < cout; co++) {
        float32x4_t acc = vdupq_n_f32(bias ? bias[co] : 0.0f);
        for (int ci = 0; ci < cin; ci++) {
            for (int ky = 0; ky < K; ky++) {
                const int iy = r + ky - P;
                if (iy < 0 || iy >= rows) continue;
                const float *row = in + ((size_t)ci * rows + iy) * t;
                float win[8] = {0}; /* win[i] = row[x0 - 2 + i] */
                for (int i = 0; i < 8; i++) {
                    const int ix = x0 - P + i;
                    if (ix >= 0 && ix < t) win[i] = row[ix];
                }
                const float *wk = w + ((size_t)co * cin + ci) * KK + ky * K;
                for (int kx = 0; kx < K; kx++)
                    acc = vfmaq_n_f32(acc, vld1q_f32(win + kx), wk[kx]);
            }
        }
        float tmp[4];
        vst1q_f32(tmp, acc);
        memcpy(out + ((size_t)co * rows + r) * t + x0, tmp, (size_t)n * sizeof *tmp);
    }
}

/* The interior of row r for channels co0 .. co0 + CO - 1: from x0 = 4 in
 * blocks of TV vectors, then single vectors; returns where it stopped (the
 * same for every TV: the single-vector loop ends at the first x0 ≡ 0 mod 4
 * with x0 + 6 > t). */
INLINE int interior(float *out, const float *in, const float *w, const float *bias, int cin,
                    int co0, int rows, int t, int r, const int CO, const int TV) {
    int x0 = 4;
    for (; x0 + 4 * TV + P <= t; x0 += 4 * TV)
        block(out, in, w, bias, cin, co0, rows, t, r, x0, CO, TV);
    for (; x0 + 4 + P <= t; x0 += 4)
        block(out, in, w, bias, cin, co0, rows, t, r, x0, CO, 1);
    return x0;
}

void si_conv_nb5_neon(float *out, const float *in, const float *w, const float *bias, int cin,
                      int cout, int rows, int t) {
    for (int r = 0; r < rows; r++) {
        int xe = 4;
        for (int co0 = 0; co0 < cout;) {
            if (cout - co0 >= 4) {
                xe = interior(out, in, w, bias, cin, co0, rows, t, r, 4, 4);
                co0 += 4;
            } else if (cout - co0 >= 2) {
                xe = interior(out, in, w, bias, cin, co0, rows, t, r, 2, 6);
                co0 += 2;
            } else {
                xe = interior(out, in, w, bias, cin, co0, rows, t, r, 1, 8);
                co0 += 1;
            }
        }
        edge(out, in, w, bias, cin, cout, rows, t, r, 0);
        for (int x0 = xe; x0 < t; x0 += 4)
            edge(out, in, w, bias, cin, cout, rows, t, r, x0);
    }
}
#endif
