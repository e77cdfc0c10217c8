/* Velocity-model pictures: the model in viridis, scaled up to a readable
 * size, axes in metres (x along the top, depth down the left, as sections
 * are drawn in geophysics) and a colour bar in m/s on the right. */
#include "seisinv/png.h"

#include <math.h>
#include <stdio.h>

#include "../core/error_internal.h"
#include "axis.h"
#include "colormap.h"
#include "font5x7.h"
#include "png_internal.h"

#define FS 2               /* font scale: 10 x 14 px digits */
#define PAD 12             /* white border around everything */
#define MIN_PLOT_W 400     /* zoom small models up to at least this width */
#define MAX_ZOOM_H 1600    /* but stop zooming once this tall */
#define MAX_PLOT_SIDE 2000 /* larger models are subsampled to this */
#define BAR_GAP 24         /* plot to colour bar */
#define BAR_W 18

typedef struct vel_layout {
    int pw, ph;          /* plot size, pixels */
    int left, top;       /* plot origin */
    int bar_x;           /* colour bar's left column */
    int w, h;            /* whole picture */
    si_ticks xt, zt, vt; /* ticks: x (m), z (m), velocity (m/s) */
} vel_layout;

static const char X_LABEL[] = "x (m)", Z_LABEL[] = "z (m)", V_LABEL[] = "v (m/s)";

static void plot_size(int nz, int nx, int *pw, int *ph) {
    int zoom = nx < MIN_PLOT_W ? (MIN_PLOT_W + nx - 1) / nx : 1;
    while (zoom > 1 && (long)nz * zoom > MAX_ZOOM_H)
        zoom--;
    long w = (long)nx * zoom, h = (long)nz * zoom;
    long side = w > h ? w : h;
    if (side > MAX_PLOT_SIDE) {
        /* Subsample by the same integer step on both axes (square cells). */
        long step = (side + MAX_PLOT_SIDE - 1) / MAX_PLOT_SIDE;
        w = (nx + step - 1) / step, h = (nz + step - 1) / step;
    }
    *pw = (int)w, *ph = (int)h;
}

static vel_layout layout(int nz, int nx, float dx, double vmin, double vmax) {
    vel_layout L;
    plot_size(nz, nx, &L.pw, &L.ph);
    /* Tick spacing of roughly 80 px across, 60 px (z) and 50 px (bar) down. */
    int target = L.pw / 80;
    L.xt = si_ticks_nice(0.0, (double)nx * dx, target);
    while (target > 2 && (L.xt.n - 1) * (si_ticks_max_width(&L.xt, FS) + 16) > L.pw)
        L.xt = si_ticks_nice(0.0, (double)nx * dx, --target); /* wide labels: fewer ticks */
    if ((L.xt.n - 1) * (si_ticks_max_width(&L.xt, FS) + 16) > L.pw) L.xt.n = 1; /* a sliver */
    L.zt = si_ticks_nice(0.0, (double)nz * dx, L.ph / 60);
    L.vt = si_ticks_nice(vmin, vmax, L.ph / 50);
    int cap = SI_FONT_CAP * FS, tick = SI_TICK_LEN + SI_TICK_GAP;
    L.left = PAD + cap + 10 + si_ticks_max_width(&L.zt, FS) + tick + 1;
    L.top = PAD + cap + 8 + cap + tick + 1;
    L.bar_x = L.left + L.pw + 1 + BAR_GAP;
    /* On a narrow plot, move the bar out until the two titles above do not meet. */
    int titles = L.left + L.pw / 2 + si_text_width(X_LABEL, FS) / 2 + 16 +
                 si_text_width(V_LABEL, FS) / 2 - BAR_W / 2;
    if (L.bar_x < titles) L.bar_x = titles;
    int right = L.bar_x + BAR_W + 1 + tick + si_ticks_max_width(&L.vt, FS) + PAD;
    int vlabel_right = L.bar_x + BAR_W / 2 + si_text_width(V_LABEL, FS) / 2 + PAD;
    L.w = right > vlabel_right ? right : vlabel_right;
    /* Tall enough for the turned depth label even on a very flat model. */
    int zlen = si_text_width(Z_LABEL, FS);
    L.h = L.top + (L.ph > zlen ? L.ph : zlen) + 1 + PAD + cap / 2;
    return L;
}

static void draw_model(si_canvas *c, const vel_layout *L, const float *vel, int nz, int nx,
                       double vmin, double vmax) {
    unsigned char rgb[3];
    for (int y = 0; y < L->ph; y++) {
        /* Nearest cell: exact blocks when zoomed, a subsample when shrunk. */
        int i = (int)(((long)y * 2 + 1) * nz / (2L * L->ph));
        for (int x = 0; x < L->pw; x++) {
            int j = (int)(((long)x * 2 + 1) * nx / (2L * L->pw));
            double t = (vel[(size_t)i * (size_t)nx + (size_t)j] - vmin) / (vmax - vmin);
            si_cmap_viridis((float)t, rgb);
            si_canvas_set(c, L->left + x, L->top + y, rgb);
        }
    }
    si_canvas_frame(c, L->left, L->top, L->pw, L->ph, SI_BLACK);
}

static void draw_axes(si_canvas *c, const vel_layout *L, int nz, int nx, float dx) {
    int cap = SI_FONT_CAP * FS, tick = SI_TICK_LEN + SI_TICK_GAP;
    si_axis_draw(c, &L->xt, SI_SIDE_TOP, L->top - 1, L->left, L->pw, 0.0, (double)nx * dx, FS);
    si_axis_draw(c, &L->zt, SI_SIDE_LEFT, L->left - 1, L->top, L->ph, 0.0, (double)nz * dx, FS);
    int xw = si_text_width(X_LABEL, FS);
    si_canvas_text(c, L->left + L->pw / 2 - xw / 2, L->top - 1 - tick - cap - 8 - cap, X_LABEL, FS,
                   SI_BLACK, 0);
    int zw = si_text_width(Z_LABEL, FS);
    si_canvas_text(c, PAD, L->top + L->ph / 2 - zw / 2, Z_LABEL, FS, SI_BLACK, 1);
}

static void draw_colour_bar(si_canvas *c, const vel_layout *L, double vmin, double vmax) {
    unsigned char rgb[3];
    for (int y = 0; y < L->ph; y++) {
        si_cmap_viridis(1.0f - ((float)y + 0.5f) / (float)L->ph, rgb);
        for (int x = 0; x < BAR_W; x++)
            si_canvas_set(c, L->bar_x + x, L->top + y, rgb);
    }
    si_canvas_frame(c, L->bar_x, L->top, BAR_W, L->ph, SI_BLACK);
    si_axis_draw(c, &L->vt, SI_SIDE_RIGHT, L->bar_x + BAR_W, L->top, L->ph, vmax, vmin, FS);
    int cap = SI_FONT_CAP * FS, tick = SI_TICK_LEN + SI_TICK_GAP;
    int vw = si_text_width(V_LABEL, FS);
    si_canvas_text(c, L->bar_x + BAR_W / 2 - vw / 2, L->top - 1 - tick - cap - 8 - cap, V_LABEL, FS,
                   SI_BLACK, 0);
}

si_err si_png_write_velocity(const char *path, const float *vel, int nz, int nx, float dx,
                             float vmin, float vmax) {
    if (!path || !*path) return si_fail(SI_EINVAL, "velocity picture: no output path");
    if (!vel) return si_fail(SI_EINVAL, "velocity picture %s: no model data (NULL)", path);
    if (nz < 1 || nx < 1)
        return si_fail(SI_EINVAL, "velocity picture %s: model size %d x %d must be at least 1 x 1",
                       path, nz, nx);
    if (!isfinite(dx) || dx <= 0.0f)
        return si_fail(SI_EINVAL, "velocity picture %s: grid spacing %g m must be positive", path,
                       (double)dx);
    if (!isfinite(vmin) || !isfinite(vmax) || vmin > vmax)
        return si_fail(SI_EINVAL, "velocity picture %s: colour range [%g, %g] m/s is not valid",
                       path, (double)vmin, (double)vmax);
    for (size_t k = 0; k < (size_t)nz * (size_t)nx; k++)
        if (!isfinite(vel[k]))
            return si_fail(SI_EDATA,
                           "velocity picture %s: velocity %g at row %zu col %zu is not finite",
                           path, (double)vel[k], k / (size_t)nx, k % (size_t)nx);
    double lo = vmin, hi = vmax;
    if (hi == lo) {
        /* A homogeneous model: widen the range so it shows mid-scale with
         * meaningful ticks instead of failing. */
        double d = fabs(lo) * 0.01 > 1.0 ? fabs(lo) * 0.01 : 1.0;
        lo -= d, hi += d;
    }
    vel_layout L = layout(nz, nx, dx, lo, hi);
    si_canvas c;
    si_err st = si_canvas_init(&c, L.w, L.h);
    if (st != SI_OK) return si_fail_prefix(st, "velocity picture %s", path);
    draw_model(&c, &L, vel, nz, nx, lo, hi);
    draw_axes(&c, &L, nz, nx, dx);
    draw_colour_bar(&c, &L, lo, hi);
    st = si_png_write_canvas(path, &c);
    si_canvas_free(&c);
    return st;
}
