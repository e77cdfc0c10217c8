/* Shared by the conv / norm / act tests: a reproducible random source, the
 * naive oracles (direct convolution and direct transposed convolution, both
 * summed in double, written here and not taken from kernels/), and a runner
 * for a whole im2col + GEMM convolution. */
#ifndef SI_CONV_TEST_UTIL_H
#define SI_CONV_TEST_UTIL_H

#include "test_util.h"

#include <float.h>
#include <math.h>

#include "conv/conv.h"
#include "gemm/gemm.h"

/* xorshift64*: a failure reproduces. */
static uint64_t ct_rng = 0x2545F4914F6CDD1Dull;
static inline uint32_t ct_rnd(void) {
    ct_rng ^= ct_rng >> 12, ct_rng ^= ct_rng << 25, ct_rng ^= ct_rng >> 27;
    return (uint32_t)((ct_rng * 2685821657736338717ull) >> 32);
}
static inline int ct_below(int n) {
    return n > 0 ? (int)(ct_rnd() % (uint32_t)n) : 0;
}
static inline float ct_unit(void) {
    return (float)ct_rnd() / 4294967296.0f * 2.0f - 1.0f;
}
static inline float *ct_buf(size_t n) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = ct_unit();
    return p;
}
/* A buffer of n floats followed by `guard` sentinel floats. */
static inline float *ct_guarded(size_t n, size_t guard) {
    float *p = malloc((n + guard) * sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < n + guard; i++)
        p[i] = -12345.0f;
    return p;
}
static inline void ct_check_guard(const float *p, size_t n, size_t guard, const char *what) {
    for (size_t i = n; i < n + guard; i++)
        if (p[i] != -12345.0f) fail_msg("%s: wrote past its output (float %zu)", what, i);
}

/* Direct Conv2d in double: out [cout, hout, wout] (float) and mag, the sum
 * of |terms| per output (for the tolerance); w [cout, cin, kh, kw]. */
static inline void ct_naive_conv(float *out, double *mag, const float *in, const float *w,
                                 const float *bias, const si_conv_geom *g, int cout) {
    for (int co = 0; co < cout; co++)
        for (int oy = 0; oy < g->hout; oy++)
            for (int ox = 0; ox < g->wout; ox++) {
                double s = bias ? bias[co] : 0.0, m = bias ? fabs(bias[co]) : 0.0;
                for (int ci = 0; ci < g->cin; ci++)
                    for (int ky = 0; ky < g->kh; ky++)
                        for (int kx = 0; kx < g->kw; kx++) {
                            int iy = oy * g->stride_h - g->pad_h + ky * g->dil_h;
                            int ix = ox * g->stride_w - g->pad_w + kx * g->dil_w;
                            if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
                            double t = (double)w[((co * g->cin + ci) * g->kh + ky) * g->kw + kx] *
                                       in[((size_t)ci * g->h + iy) * g->w + ix];
                            s += t, m += fabs(t);
                        }
                size_t o = ((size_t)co * g->hout + oy) * g->wout + ox;
                out[o] = (float)s;
                if (mag) mag[o] = m;
            }
}

/* Direct ConvTranspose2d(k 4, stride 2, pad 1) in double, the textbook
 * scatter: every input pixel adds its 4×4 footprint. w [cin, cout, 4, 4],
 * out [cout, 2h, 2w]. */
static inline void ct_naive_convt(float *out, double *mag, const float *in, const float *w,
                                  const float *bias, int cin, int cout, int h, int wd) {
    const size_t n = (size_t)cout * 4 * h * wd;
    double *s = calloc(n, sizeof *s), *m = calloc(n, sizeof *m);
    assert_non_null(s);
    assert_non_null(m);
    for (int ci = 0; ci < cin; ci++)
        for (int iy = 0; iy < h; iy++)
            for (int ix = 0; ix < wd; ix++)
                for (int co = 0; co < cout; co++)
                    for (int ky = 0; ky < 4; ky++)
                        for (int kx = 0; kx < 4; kx++) {
                            int oy = 2 * iy - 1 + ky, ox = 2 * ix - 1 + kx;
                            if (oy < 0 || oy >= 2 * h || ox < 0 || ox >= 2 * wd) continue;
                            double t = (double)in[((size_t)ci * h + iy) * wd + ix] *
                                       w[((ci * cout + co) * 4 + ky) * 4 + kx];
                            size_t o = ((size_t)co * 2 * h + oy) * 2 * wd + ox;
                            s[o] += t, m[o] += fabs(t);
                        }
    for (size_t o = 0; o < n; o++) {
        size_t co = o / ((size_t)4 * h * wd);
        out[o] = (float)(s[o] + (bias ? bias[co] : 0.0));
        if (mag) mag[o] = m[o] + (bias ? fabs(bias[co]) : 0.0);
    }
    free(s), free(m);
}

/* got vs want with tolerance 4 eps (sqrt(terms) + 1) mag + 1e-30; returns the
 * worst error / tolerance, fails naming the first bad index. */
static inline double ct_compare(const float *got, const float *want, const double *mag, size_t n,
                                double terms, const char *what) {
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double tol = 4 * FLT_EPSILON * (sqrt(terms) + 1) * mag[i] + 1e-30;
        double err = fabs((double)got[i] - want[i]);
        if (!(err <= tol))
            fail_msg("%s: element %zu is %.9g, expected %.9g (error %.3g > tolerance %.3g)", what,
                     i, got[i], want[i], err, tol);
        if (err / tol > worst) worst = err / tol;
    }
    return worst;
}

/* A whole conv as im2col panels + si_sgemm, the way the runtime runs it:
 * images [nimg, cin, h, w] → out [cout, nimg·hout·wout] (column j as in
 * conv.h), the columns done in chunks of `chunk` (a multiple of nothing in
 * particular) to exercise j0. Epilogue: out = (acc + bias) · scale + shift
 * per output channel, folded into the GEMM's per-row scale/shift. */
static inline void ct_conv_by_gemm(const si_conv_kernels *ck, const si_gemm_kernels *gk, float *out,
                                   const float *in, size_t img_stride, int nimg, const float *w,
                                   const float *bias, const float *scale, const float *shift,
                                   const si_conv_geom *g, int cout, size_t chunk) {
    const size_t k = si_conv_im2col_k(g), ncols = (size_t)nimg * g->hout * g->wout;
    float *apk = malloc(si_gemm_packed_a_floats(gk, (size_t)cout, k) * sizeof(float) + 4);
    float *sh = malloc((size_t)cout * sizeof *sh), *sc = malloc((size_t)cout * sizeof *sc);
    float *bpk = malloc(si_conv_im2col_floats(g, gk->nr, chunk) * sizeof(float));
    assert_non_null(apk), assert_non_null(sh), assert_non_null(sc), assert_non_null(bpk);
    si_gemm_pack_a(gk, (size_t)cout, k, w, k, 0, apk);
    for (int co = 0; co < cout; co++) {
        sc[co] = scale ? scale[co] : 1.0f;
        sh[co] = (bias ? bias[co] : 0.0f) * sc[co] + (shift ? shift[co] : 0.0f);
    }
    for (size_t j0 = 0; j0 < ncols; j0 += chunk) {
        size_t n = ncols - j0 < chunk ? ncols - j0 : chunk;
        ck->im2col(bpk, in, g, img_stride, gk->nr, j0, n);
        si_sgemm_args a = {0};
        a.m = (size_t)cout, a.n = n, a.k = k;
        a.a_packed = apk, a.b_packed = bpk;
        a.c = out + j0, a.ldc = ncols;
        a.scale = sc, a.shift = sh;
        const char *err = si_sgemm(gk, &a, NULL);
        if (err) fail_msg("si_sgemm: %s", err);
    }
    free(apk), free(sh), free(sc), free(bpk);
}

/* ConvTranspose2d(k4, s2, p1) + bias through the phase decomposition with
 * the tables given: 4 × (im2col + GEMM), then the interleave. */
static inline void ct_convt_by_phases(const si_conv_kernels *ck, const si_gemm_kernels *gk,
                                      float *out, const float *in, const float *w,
                                      const float *bias, int cin, int cout, int h, int wd) {
    const size_t k = (size_t)cin * 4, plane = (size_t)cout * h * wd;
    float *wq = malloc(4 * (size_t)cout * k * sizeof *wq);
    float *phases = malloc(4 * plane * sizeof *phases);
    assert_non_null(wq), assert_non_null(phases);
    si_convt_phase_weights(wq, w, cin, cout);
    for (int q = 0; q < 4; q++) {
        si_conv_geom g;
        si_convt_phase_geom(&g, cin, h, wd, q / 2, q % 2);
        ct_conv_by_gemm(ck, gk, phases + q * plane, in, 0, 1, wq + (size_t)q * cout * k, bias, NULL,
                        NULL, &g, cout, 1 + (size_t)ct_below(3 * h * wd));
    }
    ck->interleave(out, phases, cout, h, wd);
    free(wq), free(phases);
}

#endif
