/* im2col into GEMM B panels, AArch64 AdvSIMD: whole row segments at a time.
 *
 * The cut is the AVX2 kernel's (conv-im2col-avx2.c says why): the columns
 * are cut into runs of consecutive output pixels sharing an output row and
 * a panel, and for a run and a tap (ky, kx) the values are one input row
 * read at stride sw: a block of zeros (left padding), a copy, zeros again.
 * A pass packs a few panels, tap row p outermost, then the runs.
 *
 * Everything about a (tap, run) pair except the channel is the same for all
 * cin channels, so a pass first lists the pairs of one channel as copy
 * operations (destination, source offset, length, kind) and then replays
 * the list per channel: two pointer adds and the copy per pair. Worked out
 * per pair instead, GCC ran short of registers and the bookkeeping was 3 to
 * 8 times the copy (qemu instruction counts, NR = 12). The hot kinds are
 * whole vectors at stride 1 (vld1q) or 2 (vld2q, its even half), and at
 * stride 1 zeros around a copy (image borders); other segments go through
 * put_segment. The next channel's rows are prefetched as in the AVX2
 * kernel, one stretch per tap row where the runs continue one another.
 * Output is bit-identical to the scalar reference (it is only moves). */
#include "conv-impl.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <stddef.h>
#include <string.h>

/* Pass size as in the AVX2 kernel (measured there; not re-tuned on ARM).
 * MAX_OPS bounds a pass's (tap, run) list, on the stack. */
enum { PASS_COLS = 128, MAX_RUNS = 64, MAX_TAPS = 8, MAX_OPS = 512 }; /* kh, kw ≤ MAX_TAPS here */

typedef struct run {
    float *dst;  /* the run's first column, row p = 0, inside its panel */
    size_t img;  /* image of the run */
    int oy, ox0; /* first output pixel */
    int len;     /* pixels */
} run;

/* OP_PAD1: stride 1, zeros around a copy of 4 or more (image borders). */
enum { OP_ZERO, OP_COPY1, OP_COPY2, OP_PAD1, OP_SEGMENT };

/* One (tap, run) pair of channel 0: d[0..len) from the input at src (a
 * float offset from the channel's start); channel ci adds ci·cstep to d
 * and ci·plane to src. OP_SEGMENT: columns [lo, hi) are read from src + lo·sw,
 * the rest are zero; `before` floats of the row precede that element. */
typedef struct op {
    float *d;
    ptrdiff_t src;
    int len, kind, lo, hi, before, after;
} op;

/* A stretch of input a tap row reads (runs of a pass that continue one
 * another along a row merged), prefetched for the next channel. */
typedef struct span {
    ptrdiff_t at;
    int n;
} span;

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
 * at the element for i = lo, `before` / `after` count the floats of the row
 * readable before / from it. */
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

/* Writes the runs' columns, all K rows: the (tap, run) list of channel 0,
 * then every channel through it. */
static void pack_runs(const float *in, const si_conv_geom *g, size_t img_stride, size_t nr,
                      const run *runs, int nruns) {
    const size_t plane = (size_t)g->h * (size_t)g->w, cstep = (size_t)g->kh * g->kw * nr;
    const int sw = g->stride_w;
    op ops[MAX_OPS];
    span spans[MAX_OPS];
    int nops = 0, nspans = 0;
    for (int ky = 0; ky < g->kh; ky++)
        for (int kx = 0; kx < g->kw; kx++)
            for (int q = 0; q < nruns; q++, nops++) {
                const run *u = &runs[q];
                op *o = &ops[nops];
                o->d = u->dst + (size_t)(ky * g->kw + kx) * nr;
                o->len = u->len;
                const int iy = u->oy * g->stride_h - g->pad_h + ky * g->dil_h;
                if (iy < 0 || iy >= g->h) {
                    o->kind = OP_ZERO, o->src = 0;
                    continue;
                }
                const int ix0 = u->ox0 * sw - g->pad_w + kx * g->dil_w;
                const int lo = clampi(ceil_div(-ix0, sw), 0, u->len);
                const int hi = clampi(ceil_div(g->w - ix0, sw), lo, u->len);
                const int src = ix0 + lo * sw; /* column of the first element read */
                o->src = (ptrdiff_t)(u->img * img_stride + (size_t)iy * g->w) + src;
                o->lo = lo, o->hi = hi, o->before = src, o->after = g->w - src;
                o->kind = OP_SEGMENT;
                if (lo == 0 && hi == u->len && u->len % 4 == 0) {
                    if (sw == 1) o->kind = OP_COPY1;
                    if (sw == 2 && src + 2 * u->len <= g->w) o->kind = OP_COPY2;
                } else if (sw == 1 && u->len % 4 == 0 && hi - lo >= 4) {
                    o->kind = OP_PAD1;
                }
                if (kx == 0 && hi > lo) { /* the run's reads in this row, all kx */
                    const ptrdiff_t at = o->src;
                    const int end = ix0 + (u->len - 1) * sw + (g->kw - 1) * g->dil_w + 1;
                    const int n = (end < g->w ? end : g->w) - src;
                    span *last = nspans ? &spans[nspans - 1] : NULL;
                    if (last && at >= last->at && at <= last->at + last->n)
                        last->n = (int)(at + n - last->at > last->n ? at + n - last->at : last->n);
                    else
                        spans[nspans++] = (span){at, n};
                }
            }
    for (int ci = 0; ci < g->cin; ci++) {
        const float *chan = in + (size_t)ci * plane;
        const size_t dc = (size_t)ci * cstep;
        if (ci + 1 < g->cin) /* the next channel's stretches */
            for (int i = 0; i < nspans; i++)
                for (int x = 0; x < spans[i].n; x += 16)
                    __builtin_prefetch(chan + plane + spans[i].at + x);
        for (int i = 0; i < nops; i++) {
            const op *o = &ops[i];
            float *d = o->d + dc;
            const float *s = chan + o->src;
            switch (o->kind) {
            case OP_COPY1:
                for (int k = 0; k < o->len; k += 4)
                    vst1q_f32(d + k, vld1q_f32(s + k));
                break;
            case OP_COPY2:
                for (int k = 0; k < o->len; k += 4)
                    vst1q_f32(d + k, vld2q_f32(s + 2 * k).val[0]);
                break;
            case OP_PAD1: {
                const float32x4_t z = vdupq_n_f32(0.0f);
                for (int k = 0; k < o->len; k += 4)
                    vst1q_f32(d + k, z);
                const int n = o->hi - o->lo;
                float *dl = d + o->lo;
                int k = 0;
                for (; k + 4 <= n; k += 4)
                    vst1q_f32(dl + k, vld1q_f32(s + k));
                if (k < n) vst1q_f32(dl + n - 4, vld1q_f32(s + n - 4));
                break;
            }
            case OP_ZERO:
                memset(d, 0, (size_t)o->len * sizeof *d);
                break;
            default:
                put_segment(d, s, o->lo, o->hi, o->len, sw, o->before, o->after);
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
    const int taps = g->kh * g->kw; /* ops per run */
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
        if (nruns == MAX_RUNS || (nruns + 1) * taps > MAX_OPS || c == n || c % pass == 0) {
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
