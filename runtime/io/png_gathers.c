/* Shot-gather pictures: gathers side by side, time downwards, grey scale
 * symmetric around zero (positive dark, zero mid-grey, negative light),
 * clipped at the 99th percentile of |amplitude| so a few strong samples
 * (the direct wave near the source) do not wash out the rest. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/error_internal.h"
#include "axis.h"
#include "font5x7.h"
#include "png_internal.h"
#include "seisinv/png.h"

#define FS 2           /* font scale */
#define PAD 12         /* white border around everything */
#define SEP 6          /* white gap between neighbouring panel frames */
#define MAX_ROWS 2000  /* longer time axes are decimated to this */
#define MIN_ROWS 300   /* shorter ones are stretched up to this */
#define MIN_DATA_W 500 /* narrow surveys are widened up to this */
#define MAX_ZOOM 8
#define CLIP_SAMPLES (1 << 20) /* |a| values the percentile is taken from */
#define CLIP_QUANTILE 0.99

static const char T_LABEL[] = "time (samples)", S_LABEL[] = "shot";

/* k-th smallest of a[0..n) by quickselect (reorders a); O(n) on average. */
static float select_kth(float *a, size_t n, size_t k) {
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        /* Median of three as pivot keeps sorted or constant input fast. */
        size_t mid = lo + (hi - lo) / 2;
        float x = a[lo], y = a[mid], z = a[hi];
        float pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                float t = a[i];
                a[i] = a[j], a[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return a[k];
    }
    return a[k];
}

/* 99th percentile of |data| over an evenly strided sample of at most
 * CLIP_SAMPLES values (no full sort of millions of samples); falls back to
 * the largest |value| when that is zero, and to 1 for all-zero data. */
static si_err clip_level(const float *data, size_t n, float *clip) {
    size_t stride = (n + CLIP_SAMPLES - 1) / CLIP_SAMPLES, m = (n + stride - 1) / stride;
    float *s = malloc(m * sizeof *s);
    if (!s) return si_fail(SI_ENOMEM, "out of memory choosing the grey-scale clip");
    float amax = 0.0f;
    for (size_t i = 0; i < m; i++) {
        s[i] = fabsf(data[i * stride]);
        if (s[i] > amax) amax = s[i];
    }
    float q = select_kth(s, m, (size_t)(CLIP_QUANTILE * (double)(m - 1) + 0.5));
    free(s);
    if (!(q > 0.0f)) q = amax;
    if (!(q > 0.0f)) {
        for (size_t i = 0; i < n; i++) /* the sample may have missed a lone spike */
            if (fabsf(data[i]) > q) q = fabsf(data[i]);
    }
    *clip = q > 0.0f ? q : 1.0f;
    return SI_OK;
}

typedef struct gather_layout {
    int tstep, zt, zx; /* samples per row; pixel zoom in time and receiver */
    int rows, pw, ph;  /* decimated rows; one panel's size in pixels */
    int left, top, w, h;
    int label_every; /* shot labels on every k-th panel */
    si_ticks tt;     /* time ticks, in samples */
} gather_layout;

/* Distance from one panel's first data column to the next one's. */
static int panel_pitch(const gather_layout *L) {
    return L->pw + 2 + SEP;
}

/* Smallest of 1, 2, 5, 10, 20, 50, ... panels that spans `need` pixels, so
 * shot numbers never touch. */
static int label_step(int need, int pitch) {
    for (long m = 1;; m *= 10)
        for (int f = 1; f <= 5; f += f == 1 ? 1 : 3)
            if (f * m * pitch >= need) return (int)(f * m);
}

static si_err layout(int nshots, int nt, int nrec, gather_layout *L) {
    L->tstep = (nt + MAX_ROWS - 1) / MAX_ROWS;
    L->rows = (nt + L->tstep - 1) / L->tstep;
    L->zt = L->rows < MIN_ROWS ? (MIN_ROWS + L->rows - 1) / L->rows : 1;
    if (L->zt > MAX_ZOOM) L->zt = MAX_ZOOM;
    long traces = (long)nshots * nrec;
    L->zx = traces < MIN_DATA_W ? (int)((MIN_DATA_W + traces - 1) / traces) : 1;
    if (L->zx > MAX_ZOOM) L->zx = MAX_ZOOM;
    L->pw = nrec * L->zx, L->ph = L->rows * L->zt;
    int cap = SI_FONT_CAP * FS, tick = SI_TICK_LEN + SI_TICK_GAP;
    L->tt = si_ticks_nice(0.0, nt, L->ph / 80);
    L->left = PAD + SI_FONT_H * FS + 10 + si_ticks_max_width(&L->tt, FS) + tick + 1;
    L->top = PAD + cap + 10 + 1;
    long data_w = (long)nshots * panel_pitch(L) - SEP;
    long w = L->left - 1 + data_w + PAD + cap; /* room for the last shot label */
    if (w > SI_PNG_MAX_SIDE)
        return si_fail(SI_EINVAL,
                       "gathers picture would be %ld px wide (%d shots x %d receivers); the "
                       "limit is %d, so draw fewer shots",
                       w, nshots, nrec, SI_PNG_MAX_SIDE);
    int tlen = si_text_width(T_LABEL, FS);
    L->w = (int)w;
    L->h = L->top + (L->ph > tlen ? L->ph : tlen) + 1 + PAD + cap / 2;
    char buf[16];
    snprintf(buf, sizeof buf, "%d", nshots - 1);
    L->label_every = label_step(si_text_width(buf, FS) + 8, panel_pitch(L));
    return SI_OK;
}

/* One shot [nt, nrec] into the panel at (x0, top). A decimated row shows the
 * sample of largest |amplitude| in its time window, so thin events survive. */
static void draw_panel(si_canvas *c, const gather_layout *L, const float *g, int nt, int nrec,
                       int x0, float clip) {
    unsigned char grey[3];
    for (int k = 0; k < L->rows; k++) {
        int t0 = k * L->tstep, t1 = t0 + L->tstep < nt ? t0 + L->tstep : nt;
        for (int r = 0; r < nrec; r++) {
            float best = g[(size_t)t0 * nrec + r];
            for (int t = t0 + 1; t < t1; t++) {
                float a = g[(size_t)t * nrec + r];
                if (fabsf(a) > fabsf(best)) best = a;
            }
            float u = best / clip;
            u = u > 1.0f ? 1.0f : u < -1.0f ? -1.0f : u;
            grey[0] = grey[1] = grey[2] = (unsigned char)lrintf(128.0f - 127.0f * u);
            for (int dy = 0; dy < L->zt; dy++)
                for (int dx = 0; dx < L->zx; dx++)
                    si_canvas_set(c, x0 + r * L->zx + dx, L->top + k * L->zt + dy, grey);
        }
    }
    si_canvas_frame(c, x0, L->top, L->pw, L->ph, SI_BLACK);
}

static void draw_labels(si_canvas *c, const gather_layout *L, int nshots, int nt) {
    int cap = SI_FONT_CAP * FS;
    si_axis_draw(c, &L->tt, SI_SIDE_LEFT, L->left - 1, L->top, L->ph, 0.0, nt, FS);
    int tw = si_text_width(T_LABEL, FS);
    si_canvas_text(c, PAD, L->top + L->ph / 2 - tw / 2, T_LABEL, FS, SI_BLACK, 1);
    int label_y = L->top - 1 - 10 - cap;
    si_canvas_text(c, L->left - 1 - SI_TICK_LEN - SI_TICK_GAP - si_text_width(S_LABEL, FS), label_y,
                   S_LABEL, FS, SI_BLACK, 0);
    char buf[16];
    for (int s = 0; s < nshots; s += L->label_every) {
        snprintf(buf, sizeof buf, "%d", s);
        int x = L->left + s * panel_pitch(L) + L->pw / 2 - si_text_width(buf, FS) / 2;
        si_canvas_text(c, x, label_y, buf, FS, SI_BLACK, 0);
    }
}

si_err si_png_write_gathers(const char *path, const float *data, int nshots, int nt, int nrec) {
    if (!path || !*path) return si_fail(SI_EINVAL, "gathers picture: no output path");
    if (!data) return si_fail(SI_EINVAL, "gathers picture %s: no seismic data (NULL)", path);
    if (nshots < 1 || nt < 1 || nrec < 1)
        return si_fail(SI_EINVAL,
                       "gathers picture %s: size %d shots x %d samples x %d receivers must be at "
                       "least 1 x 1 x 1",
                       path, nshots, nt, nrec);
    size_t n = (size_t)nshots * (size_t)nt * (size_t)nrec;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(data[i])) {
            size_t per = (size_t)nt * (size_t)nrec;
            return si_fail(SI_EDATA,
                           "gathers picture %s: amplitude %g at shot %zu sample %zu receiver %zu "
                           "is not finite",
                           path, (double)data[i], i / per, i % per / (size_t)nrec,
                           i % (size_t)nrec);
        }
    gather_layout L;
    si_err st = layout(nshots, nt, nrec, &L);
    if (st != SI_OK) return si_fail_prefix(st, "%s", path);
    float clip = 1.0f;
    if ((st = clip_level(data, n, &clip)) != SI_OK)
        return si_fail_prefix(st, "gathers picture %s", path);
    si_canvas c;
    if ((st = si_canvas_init(&c, L.w, L.h)) != SI_OK)
        return si_fail_prefix(st, "gathers picture %s", path);
    for (int s = 0; s < nshots; s++)
        draw_panel(&c, &L, data + (size_t)s * nt * nrec, nt, nrec, L.left + s * panel_pitch(&L),
                   clip);
    draw_labels(&c, &L, nshots, nt);
    st = si_png_write_canvas(path, &c);
    si_canvas_free(&c);
    return st;
}
