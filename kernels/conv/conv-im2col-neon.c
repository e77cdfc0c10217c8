/* im2col into GEMM B panels, AArch64 AdvSIMD: whole row segments at a time.
 *
 * The plan is the AVX2 kernel's (conv-im2col-avx2.c says why): the columns
 * are cut into runs of consecutive output pixels sharing an output row and a
 * panel; for a run and a tap (ky, kx) the values are one input row read at
 * stride sw, a block of zeros (left padding), a copy, zeros again. Where the
 * copy starts and stops is worked out once per (run, kx), whether the row
 * exists once per (run, ky); a pass packs a few panels, tap row p outermost.
 * The copies: stride 1 vector moves, stride 2 vld2q (its even half), other
 * strides element by element. A copy of 4 or more floats ends with a vector
 * that overlaps the one before instead of a scalar tail.
 * Output is bit-identical to the scalar reference (it is only moves). */
#include "conv-impl.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <string.h>

/* Pass size as in the AVX2 kernel (measured there; not re-tuned on ARM). */
enum { PASS_COLS = 128, MAX_RUNS = 64, MAX_TAPS = 8 }; /* kh, kw ≤ MAX_TAPS here */

typedef struct run {
    float *dst;  /* the run's first column, row p = 0, inside its panel */
    size_t img;  /* image of the run */
    int oy, ox0; /* first output pixel */
    int len;     /* pixels */
} run;

/* Columns [lo, hi) of the run read the row at src + lo·sw; the others are zero. */
typedef struct seg {
    int src, lo, hi;
} seg;

static int ceil_div(int a, int b) {
    return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}
static int clampi(int v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* d[0..n) = s[0..n). */
static inline void copy1(float *d, const float *s, int n) {
    if (n < 4) {
        for (int i = 0; i < n; i++)
            d[i] = s[i];
        return;
    }
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        vst1q_f32(d + i, vld1q_f32(s + i));
        vst1q_f32(d + i + 4, vld1q_f32(s + i + 4));
    }
    if (i + 4 <= n) vst1q_f32(d + i, vld1q_f32(s + i)), i += 4;
    if (i < n) vst1q_f32(d + n - 4, vld1q_f32(s + n - 4));
}

/* d[0..n) = s[0], s[2], .., s[2n - 2]; s[-before .. after) is readable
 * (after ≥ 2n - 1). vld2q reads 8 floats for 4: the last vector either
 * fits below `after` or, shifted one float back, takes the odd half. */
static inline void copy2(float *d, const float *s, int n, int before, int after) {
    int i = 0;
    if (n >= 4) {
        for (; i + 4 <= n && 2 * i + 8 <= after; i += 4)
            vst1q_f32(d + i, vld2q_f32(s + 2 * i).val[0]);
        if (i < n) {
            const int j = n - 4;
            if (2 * j + 8 <= after) {
                vst1q_f32(d + j, vld2q_f32(s + 2 * j).val[0]);
                i = n;
            } else if (2 * j - 1 >= -before) {
                vst1q_f32(d + j, vld2q_f32(s + 2 * j - 1).val[1]);
                i = n;
            }
        }
    }
    for (; i < n; i++)
        d[i] = s[2 * i];
}

/* d[0..len) = zeros, then s[i·sw] for i in [lo, hi), then zeros; s points
 * at the element for i = lo, `before` / `after` count the floats readable
 * before / from it. */
static void put_segment(float *d, const float *s, int lo, int hi, int len, int sw, int before,
                        int after) {
    for (int i = 0; i < lo; i++)
        d[i] = 0.0f;
    if (sw == 1)
        copy1(d + lo, s, hi - lo);
    else if (sw == 2)
        copy2(d + lo, s, hi - lo, before, after);
    else
        for (int i = lo; i < hi; i++, s += sw)
            d[i] = *s;
    for (int i = hi; i < len; i++)
        d[i] = 0.0f;
}

/* Writes the runs' columns, all K rows. */
static void pack_runs(const float *in, const si_conv_geom *g, size_t img_stride, size_t nr,
                      const run *runs, int nruns) {
    seg segs[MAX_RUNS][MAX_TAPS];
    int rows[MAX_RUNS][MAX_TAPS]; /* input row of (run, ky), or -1 */
    for (int q = 0; q < nruns; q++) {
        const run *u = &runs[q];
        for (int kx = 0; kx < g->kw; kx++) {
            const int ix0 = u->ox0 * g->stride_w - g->pad_w + kx * g->dil_w;
            const int lo = clampi(ceil_div(-ix0, g->stride_w), 0, u->len);
            const int hi = clampi(ceil_div(g->w - ix0, g->stride_w), lo, u->len);
            segs[q][kx] = (seg){ix0 + lo * g->stride_w, lo, hi};
        }
        for (int ky = 0; ky < g->kh; ky++) {
            const int iy = u->oy * g->stride_h - g->pad_h + ky * g->dil_h;
            rows[q][ky] = iy >= 0 && iy < g->h ? iy : -1;
        }
    }
    size_t p = 0;
    for (int ci = 0; ci < g->cin; ci++) {
        for (int ky = 0; ky < g->kh; ky++) {
            if (ci + 1 < g->cin) /* the next channel's rows: a new stream per run */
                for (int q = 0; q < nruns; q++) {
                    if (rows[q][ky] < 0) continue;
                    const run *u = &runs[q];
                    const int first = segs[q][0].src,
                              last = segs[q][g->kw - 1].src + (u->len - 1) * g->stride_w;
                    const float *row =
                        in + u->img * img_stride + ((size_t)(ci + 1) * g->h + rows[q][ky]) * g->w;
                    for (int x = first > 0 ? first : 0; x <= last && x < g->w; x += 16)
                        __builtin_prefetch(row + x);
                }
            for (int kx = 0; kx < g->kw; kx++, p++) {
                for (int q = 0; q < nruns; q++) {
                    const run *u = &runs[q];
                    float *d = u->dst + p * nr;
                    if (rows[q][ky] < 0) {
                        memset(d, 0, (size_t)u->len * sizeof *d);
                        continue;
                    }
                    const seg *sg = &segs[q][kx];
                    const float *row =
                        in + u->img * img_stride + ((size_t)ci * g->h + rows[q][ky]) * g->w;
                    put_segment(d, row + sg->src, sg->lo, sg->hi, u->len, g->stride_w, sg->src,
                                g->w - sg->src);
                }
            }
        }
    }
}

void si_conv_im2col_neon(float *dst, const float *in, const si_conv_geom *g, size_t img_stride,
                         size_t nr, size_t j0, size_t n) {
    if (g->kh > MAX_TAPS || g->kw > MAX_TAPS) { /* not a SeisInvNet shape: the reference */
        si_conv_im2col_scalar(dst, in, g, img_stride, nr, j0, n);
        return;
    }
    const size_t k = si_conv_im2col_k(g), npix = (size_t)g->hout * (size_t)g->wout;
    const size_t pass = (PASS_COLS > nr ? PASS_COLS / nr : 1) * nr; /* whole panels */
    run runs[MAX_RUNS];
    int nruns = 0;
    for (size_t c = 0; c < n;) { /* cut at output row ends and panel ends */
        const size_t j = j0 + c, pix = j % npix, panel_left = nr - c % nr;
        const int oy = (int)(pix / (size_t)g->wout), ox = (int)(pix % (size_t)g->wout);
        size_t len = (size_t)(g->wout - ox);
        if (len > n - c) len = n - c;
        if (len > panel_left) len = panel_left;
        float *d = dst + c / nr * k * nr + c % nr;
        runs[nruns++] = (run){d, j / npix, oy, ox, (int)len};
        c += len;
        if (nruns == MAX_RUNS || c == n || c % pass == 0) {
            pack_runs(in, g, img_stride, nr, runs, nruns);
            nruns = 0;
        }
    }
    const size_t m = n % nr; /* columns past n in the last panel are zero, as gemm leaves them */
    if (m) {
        float *pd = dst + n / nr * k * nr;
        for (size_t p = 0; p < k; p++)
            memset(pd + p * nr + m, 0, (nr - m) * sizeof *pd);
    }
}
#endif
