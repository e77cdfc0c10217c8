/* SSIM / MS-SSIM (SPEC §1) and the gradient of MS-SSIM, in double.
 *
 * Each scale filters five maps (μx, μy, E[x²], E[y²], E[xy]) with the
 * separable Gaussian (valid), then averages per-pixel terms. The gradient
 * of a mean of per-pixel f(μx, μy, E[x²], E[y²], E[xy]) with respect to x is
 * Gᵀ(∂f/∂μx) + 2x·Gᵀ(∂f/∂E[x²]) + y·Gᵀ(∂f/∂E[xy]) (over N), Gᵀ the adjoint
 * (transposed) filter; the scales' gradients then flow back through the
 * 2×2 average pooling. The forward maps are recomputed for the backward
 * pass, so the scratch holds one scale's maps at a time. */
#include "msssim.h"

#include <math.h>
#include <string.h>

#define C1 (0.01 * 0.01)
#define C2 (0.03 * 0.03)
#define SIGMA 1.5
#define NMAPS 5

static const double ms_weights[SI_MSSSIM_SCALES] = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};

typedef struct level {
    int h, w;   /* image at this scale */
    int kr, kc; /* window taps down the rows and along the columns */
    int oh, ow; /* valid output */
    size_t off; /* offset of this scale in a pyramid */
    double gr[SI_SSIM_MAX_TAPS], gc[SI_SSIM_MAX_TAPS];
} level;

static void gauss_taps(double *g, int n) {
    const double c = 0.5 * (n - 1); /* symmetric about the centre, also for even n */
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += g[i] = exp(-(i - c) * (i - c) / (2 * SIGMA * SIGMA));
    for (int i = 0; i < n; i++)
        g[i] /= sum;
}

static int taps_for(int side) {
    return side < SI_SSIM_MAX_TAPS ? side : SI_SSIM_MAX_TAPS;
}

/* Scale j halves scale j−1 with floor: H >> j. Returns the pyramid size. */
static size_t levels_init(level *L, int H, int W, int n) {
    size_t off = 0;
    for (int j = 0; j < n; j++) {
        level *l = &L[j];
        l->h = H >> j, l->w = W >> j;
        l->kr = taps_for(l->h), l->kc = taps_for(l->w);
        l->oh = l->h - l->kr + 1, l->ow = l->w - l->kc + 1;
        l->off = off;
        off += (size_t)l->h * l->w;
        gauss_taps(l->gr, l->kr);
        gauss_taps(l->gc, l->kc);
    }
    return off;
}

static size_t pyramid_size(int H, int W, int n) {
    level L[SI_MSSSIM_SCALES];
    return levels_init(L, H, W, n);
}

/* Pyramid, maps and gradient planes, and the filter's intermediate. */
static size_t scratch_doubles(int H, int W, int n) {
    if (H < 1 || W < 1) return 0;
    return 3 * pyramid_size(H, W, n) + (NMAPS + 1) * (size_t)H * W;
}

size_t si_msssim_scratch_doubles(int H, int W) {
    return scratch_doubles(H, W, SI_MSSSIM_SCALES);
}

size_t si_ssim_scratch_doubles(int H, int W) {
    return scratch_doubles(H, W, 1);
}

/* Level 0 is the image in double; level j the 2×2 mean of level j−1. */
static void pyramid(const float *img, double *p, const level *L, int n) {
    for (size_t i = 0, m = (size_t)L[0].h * L[0].w; i < m; i++)
        p[i] = img[i];
    for (int j = 1; j < n; j++) {
        const double *s = p + L[j - 1].off;
        double *d = p + L[j].off;
        const int sw = L[j - 1].w;
        for (int r = 0; r < L[j].h; r++)
            for (int c = 0; c < L[j].w; c++) {
                const double *a = s + (size_t)(2 * r) * sw + 2 * c;
                d[(size_t)r * L[j].w + c] = 0.25 * (a[0] + a[1] + a[sw] + a[sw + 1]);
            }
    }
}

static inline double product(int m, double a, double b) {
    switch (m) {
    case 0:
        return a;
    case 1:
        return b;
    case 2:
        return a * a;
    case 3:
        return b * b;
    default:
        return a * b;
    }
}

/* maps[m] = G * (x, y, x², y², xy)[m], each [oh, ow]; tmp holds [h, ow]. */
static void stats(const double *x, const double *y, const level *l, double *maps, double *tmp) {
    const size_t plane = (size_t)l->oh * l->ow;
    for (int m = 0; m < NMAPS; m++) {
        for (int r = 0; r < l->h; r++) {
            const double *xr = x + (size_t)r * l->w, *yr = y + (size_t)r * l->w;
            for (int c = 0; c < l->ow; c++) {
                double s = 0;
                for (int k = 0; k < l->kc; k++)
                    s += l->gc[k] * product(m, xr[c + k], yr[c + k]);
                tmp[(size_t)r * l->ow + c] = s;
            }
        }
        double *out = maps + m * plane;
        for (int r = 0; r < l->oh; r++) {
            double *o = out + (size_t)r * l->ow;
            for (int c = 0; c < l->ow; c++)
                o[c] = 0;
            for (int i = 0; i < l->kr; i++) {
                const double *t = tmp + (size_t)(r + i) * l->ow;
                for (int c = 0; c < l->ow; c++)
                    o[c] += l->gr[i] * t[c];
            }
        }
    }
}

/* Means of the contrast-structure map and of the full SSIM map. */
static void means(const double *maps, size_t n, double *cs, double *s) {
    double scs = 0, ss = 0;
    for (size_t i = 0; i < n; i++) {
        const double mx = maps[i], my = maps[n + i];
        const double vx = maps[2 * n + i] - mx * mx, vy = maps[3 * n + i] - my * my;
        const double vxy = maps[4 * n + i] - mx * my;
        const double csm = (2 * vxy + C2) / (vx + vy + C2);
        const double lum = (2 * mx * my + C1) / (mx * mx + my * my + C1);
        scs += csm;
        ss += lum * csm;
    }
    *cs = scs / (double)n, *s = ss / (double)n;
}

/* Overwrites maps 0..2 with k · ∂f/∂(μx, E[x²], E[xy]), f the cs map or,
 * with `full`, the SSIM map. */
static void coef_maps(double *maps, size_t n, int full, double k) {
    for (size_t i = 0; i < n; i++) {
        const double mx = maps[i], my = maps[n + i];
        const double vx = maps[2 * n + i] - mx * mx, vy = maps[3 * n + i] - my * my;
        const double vxy = maps[4 * n + i] - mx * my;
        const double A = 2 * vxy + C2, B = vx + vy + C2, cs = A / B;
        double da = -2 * my / B + 2 * mx * A / (B * B), db = -A / (B * B), dc = 2 / B;
        if (full) {
            const double P = 2 * mx * my + C1, Q = mx * mx + my * my + C1, lum = P / Q;
            const double dl = 2 * my / Q - 2 * mx * P / (Q * Q);
            da = dl * cs + lum * da, db *= lum, dc *= lum;
        }
        maps[i] = k * da, maps[n + i] = k * db, maps[2 * n + i] = k * dc;
    }
}

/* g += factor · mult ⊙ Gᵀ(a): a [oh, ow] back to [h, w]; mult NULL = 1. */
static void adjoint_add(const double *a, const level *l, double *tmp, double *g, const double *mult,
                        double factor) {
    memset(tmp, 0, (size_t)l->h * l->ow * sizeof *tmp);
    for (int r = 0; r < l->oh; r++) {
        const double *ar = a + (size_t)r * l->ow;
        for (int i = 0; i < l->kr; i++) {
            double *t = tmp + (size_t)(r + i) * l->ow;
            for (int c = 0; c < l->ow; c++)
                t[c] += l->gr[i] * ar[c];
        }
    }
    for (int r = 0; r < l->h; r++) {
        const double *t = tmp + (size_t)r * l->ow;
        for (int c = 0; c < l->w; c++) {
            const int k0 = c - l->ow + 1 > 0 ? c - l->ow + 1 : 0;
            const int k1 = c < l->kc - 1 ? c : l->kc - 1;
            double s = 0;
            for (int k = k0; k <= k1; k++)
                s += l->gc[k] * t[c - k];
            const size_t p = (size_t)r * l->w + c;
            g[p] += factor * (mult ? mult[p] : 1.0) * s;
        }
    }
}

/* Pooling's adjoint: each coarse pixel's gradient, a quarter to each of
 * its four parents (the row or column dropped by the floor gets none). */
static void unpool_add(const double *gc, const level *coarse, double *gf, int fw) {
    for (int r = 0; r < coarse->h; r++)
        for (int c = 0; c < coarse->w; c++) {
            const double q = 0.25 * gc[(size_t)r * coarse->w + c];
            double *f = gf + (size_t)(2 * r) * fw + 2 * c;
            f[0] += q, f[1] += q, f[fw] += q, f[fw + 1] += q;
        }
}

double si_msssim(const float *x, const float *y, int H, int W, float *grad, double gscale,
                 double *scratch) {
    if (H < 16 || W < 16) return NAN;
    level L[SI_MSSSIM_SCALES];
    const size_t P = levels_init(L, H, W, SI_MSSSIM_SCALES), HW = (size_t)H * W;
    double *xp = scratch, *yp = xp + P, *gp = yp + P, *maps = gp + P, *tmp = maps + NMAPS * HW;
    pyramid(x, xp, L, SI_MSSSIM_SCALES);
    pyramid(y, yp, L, SI_MSSSIM_SCALES);
    double t[SI_MSSSIM_SCALES], ms = 1;
    for (int j = 0; j < SI_MSSSIM_SCALES; j++) {
        double cs, s;
        stats(xp + L[j].off, yp + L[j].off, &L[j], maps, tmp);
        means(maps, (size_t)L[j].oh * L[j].ow, &cs, &s);
        t[j] = j < SI_MSSSIM_SCALES - 1 ? cs : s;
        if (!(t[j] > 0)) t[j] = 0; /* clamped before the power */
        ms *= pow(t[j], ms_weights[j]);
    }
    if (!grad) return ms;
    memset(gp, 0, P * sizeof *gp);
    for (int j = 0; j < SI_MSSSIM_SCALES; j++) {
        if (t[j] == 0) continue; /* clamped: no gradient through it */
        const level *l = &L[j];
        const size_t n = (size_t)l->oh * l->ow;
        /* ∂MS/∂t_j = w_j · MS / t_j, over the n positions of the mean */
        const double k = ms_weights[j] * ms / t[j] / (double)n;
        stats(xp + l->off, yp + l->off, l, maps, tmp);
        coef_maps(maps, n, j == SI_MSSSIM_SCALES - 1, k);
        adjoint_add(maps, l, tmp, gp + l->off, NULL, 1.0);
        adjoint_add(maps + n, l, tmp, gp + l->off, xp + l->off, 2.0);
        adjoint_add(maps + 2 * n, l, tmp, gp + l->off, yp + l->off, 1.0);
    }
    for (int j = SI_MSSSIM_SCALES - 1; j > 0; j--)
        unpool_add(gp + L[j].off, &L[j], gp + L[j - 1].off, L[j - 1].w);
    for (size_t i = 0; i < HW; i++)
        grad[i] += (float)(gscale * gp[i]);
    return ms;
}

double si_ssim(const float *x, const float *y, int H, int W, double *scratch) {
    if (H < 1 || W < 1) return NAN;
    level L[1];
    const size_t P = levels_init(L, H, W, 1), HW = (size_t)H * W;
    double *xp = scratch, *yp = xp + P, *maps = yp + 2 * P, *tmp = maps + NMAPS * HW;
    pyramid(x, xp, L, 1);
    pyramid(y, yp, L, 1);
    stats(xp, yp, L, maps, tmp);
    double cs, s;
    means(maps, (size_t)L->oh * L->ow, &cs, &s);
    return s;
}
