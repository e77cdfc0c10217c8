/* im2col into GEMM B panels, AVX2: whole row segments at a time.
 *
 * The columns are cut into runs of consecutive output pixels that share an
 * output row and a panel. For a run and a kernel tap (ky, kx) the values are
 * one input row read at stride sw from ix0 = ox0·sw - pw + kx·dw: a block of
 * zeros (left padding), a copy (stride 1: vector moves; stride 2: two loads
 * and an even-lane shuffle; else a gather loop), zeros again. Where the copy
 * starts and stops depends only on (run, kx), and whether the row exists
 * only on (run, ky), so both are worked out once per group of runs.
 *
 * Loop order: a few panels at a time (PASS_COLS), tap row p outermost
 * inside, then the runs. So for one p the reads sweep a stretch of one input
 * row (what the prefetcher follows) while the writes go one or two cache
 * lines per panel; one panel at a time instead reads every channel for each
 * panel, K short segments a channel plane apart. The rows of the next
 * channel are prefetched: each run starts a new stream there, more than the
 * hardware prefetcher follows when the image is large (Global layer 2, 2 MB
 * per shot: 1.7× faster with it).
 * Output is bit-identical to the scalar reference (it is only moves). */
#include <immintrin.h>
#include <string.h>

#include "conv-impl.h"

/* A pass packs the panels of about PASS_COLS columns (or MAX_RUNS runs,
 * whichever ends first). Measured (bench_conv im2col, 5 SeisInvNet shapes,
 * NR 16 and 32, min of 5): one panel per pass is up to 2.3× slower (the
 * reads jump channel to channel); 64 runs per pass up to 1.8× slower (more
 * write streams, a panel's K·NR floats apart, fighting over L1 sets); 64 to
 * 256 columns are within noise of each other. */
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

static __m256i first_lanes(int n) {
    static const int m[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(m + 8 - n));
}

static int ceil_div(int a, int b) {
    return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}
static int clampi(int v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* s[0], s[2], .., s[14] (reads s[0..16)). */
static inline __m256 evens(const float *s) {
    __m256 a = _mm256_loadu_ps(s), b = _mm256_loadu_ps(s + 8);
    __m256 e = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)); /* a0 a2 b0 b2 | a4 a6 b4 b6 */
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0)));
}

/* d[0..len) = zeros, then s[i·sw] for i in [lo, hi), then zeros; s points at
 * the element for i = lo and row_left counts the floats readable from s. */
static void put_segment(float *d, const float *s, int lo, int hi, int len, int sw, int row_left) {
    int i = 0;
    if (lo == 0 && hi == len && len == 16) { /* the common cases at NR = 16 */
        if (sw == 1) {
            _mm256_storeu_ps(d, _mm256_loadu_ps(s));
            _mm256_storeu_ps(d + 8, _mm256_loadu_ps(s + 8));
            return;
        }
        if (sw == 2 && row_left >= 32) {
            _mm256_storeu_ps(d, evens(s));
            _mm256_storeu_ps(d + 8, evens(s + 16));
            return;
        }
    }
    for (; i < lo; i++)
        d[i] = 0.0f;
    if (sw == 1) {
        for (; i + 8 <= hi; i += 8, s += 8)
            _mm256_storeu_ps(d + i, _mm256_loadu_ps(s));
        if (i < hi) {
            __m256i m = first_lanes(hi - i);
            _mm256_maskstore_ps(d + i, m, _mm256_maskload_ps(s, m));
            i = hi;
        }
    } else if (sw == 2) {
        /* 16 loaded, the even 8 kept; only while all 16 are inside the row. */
        int groups = (hi - i) / 8;
        if (groups > row_left / 16) groups = row_left / 16;
        for (int q = 0; q < groups; q++, i += 8, s += 16)
            _mm256_storeu_ps(d + i, evens(s));
        for (; i < hi; i++, s += 2)
            d[i] = *s;
    } else {
        for (; i < hi; i++, s += sw)
            d[i] = *s;
    }
    for (; i < len; i++)
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
                        _mm_prefetch((const char *)(row + x), _MM_HINT_T0);
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
                    put_segment(d, row + sg->src, sg->lo, sg->hi, u->len, g->stride_w,
                                g->w - sg->src);
                }
            }
        }
    }
}

void si_conv_im2col_avx2(float *dst, const float *in, const si_conv_geom *g, size_t img_stride,
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
