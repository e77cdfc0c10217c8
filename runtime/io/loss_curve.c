/* Loss-curve picture: linear step axis along the bottom, log10 loss axis
 * on the left with decade ticks (and 2, 5 between them when the range is
 * short), a legend in the top right corner. */
#include "loss_curve.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/error_internal.h"
#include "axis.h"
#include "canvas.h"
#include "font5x7.h"
#include "png_internal.h"

#define FS 2
#define PIC_W 900
#define PIC_H 560
#define LEFT 110 /* plot origin */
#define TOP 30
#define PLOT_W (PIC_W - LEFT - 30)
#define PLOT_H (PIC_H - TOP - 80)

typedef struct frame {
    double x0, x1, ly0, ly1; /* x range, log10 y range */
} frame;

static int px_x(const frame *f, double x) {
    return LEFT + (int)lround((x - f->x0) / (f->x1 - f->x0) * (PLOT_W - 1));
}

static int px_y(const frame *f, double y) {
    return TOP + PLOT_H - 1 - (int)lround((log10(y) - f->ly0) / (f->ly1 - f->ly0) * (PLOT_H - 1));
}

static int usable(double x, double y) {
    return isfinite(x) && isfinite(y) && y > 0;
}

/* Ranges over every usable point; 0 if there is none. */
static int find_frame(const si_curve *c, int nc, frame *f) {
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int k = 0; k < nc; k++)
        for (int i = 0; i < c[k].n; i++) {
            if (!usable(c[k].x[i], c[k].y[i])) continue;
            x0 = fmin(x0, c[k].x[i]), x1 = fmax(x1, c[k].x[i]);
            y0 = fmin(y0, c[k].y[i]), y1 = fmax(y1, c[k].y[i]);
        }
    if (!(x0 <= x1)) return 0;
    if (x1 == x0) x0 -= 1, x1 += 1;
    f->x0 = x0, f->x1 = x1;
    f->ly0 = floor(log10(y0)), f->ly1 = ceil(log10(y1));
    if (f->ly1 <= f->ly0) f->ly1 = f->ly0 + 1;
    return 1;
}

static void line(si_canvas *c, int xa, int ya, int xb, int yb, uint32_t rgb) {
    const int dx = abs(xb - xa), dy = -abs(yb - ya), sx = xa < xb ? 1 : -1, sy = ya < yb ? 1 : -1;
    int err = dx + dy;
    for (;;) {
        si_canvas_fill(c, xa, ya, 2, 2, rgb); /* two pixels thick */
        if (xa == xb && ya == yb) break;
        const int e2 = 2 * err;
        if (e2 >= dy) err += dy, xa += sx;
        if (e2 <= dx) err += dx, ya += sy;
    }
}

static void y_axis(si_canvas *c, const frame *f, const char *ylabel) {
    const int cap = SI_FONT_CAP * FS, decades = (int)(f->ly1 - f->ly0);
    const int step = decades > 8 ? (decades + 7) / 8 : 1; /* at most ~8 labels */
    char buf[32];
    for (int d = (int)f->ly0; d <= (int)f->ly1; d++) {
        for (int m = 1; m <= 9; m++) {
            if (d == (int)f->ly1 && m > 1) break;
            const double v = m * pow(10.0, d);
            const int y = px_y(f, v), major = m == 1;
            if (!major && decades > 3) continue; /* minor ticks only on short ranges */
            si_canvas_fill(c, LEFT - 1 - (major ? SI_TICK_LEN : 3), y, major ? SI_TICK_LEN : 3, 1,
                           SI_BLACK);
            if (major) si_canvas_fill(c, LEFT, y, PLOT_W, 1, 0xe0e0e0u); /* grid */
            const int label =
                major ? (d - (int)f->ly0) % step == 0 : decades <= 1 && (m == 2 || m == 5);
            if (!label) continue;
            if (major)
                snprintf(buf, sizeof buf, "1e%d", d);
            else
                snprintf(buf, sizeof buf, "%de%d", m, d);
            si_canvas_text(c, LEFT - 1 - SI_TICK_LEN - SI_TICK_GAP - si_text_width(buf, FS),
                           y - cap / 2, buf, FS, SI_BLACK, 0);
        }
    }
    si_canvas_text(c, 10, TOP + PLOT_H / 2 - si_text_width(ylabel, FS) / 2, ylabel, FS, SI_BLACK,
                   1);
}

static void x_axis(si_canvas *c, const frame *f, const char *xlabel) {
    si_ticks t = si_ticks_nice(f->x0, f->x1, 8);
    while (t.n > 2 && (t.n - 1) * (si_ticks_max_width(&t, FS) + 16) > PLOT_W)
        t = si_ticks_nice(f->x0, f->x1, t.n - 2);
    char buf[64];
    const int bottom = TOP + PLOT_H;
    for (int i = 0; i < t.n; i++) {
        const int x = px_x(f, t.first + i * t.step);
        si_canvas_fill(c, x, bottom, 1, SI_TICK_LEN, SI_BLACK);
        si_ticks_label(&t, i, buf, sizeof buf);
        si_canvas_text(c, x - si_text_width(buf, FS) / 2, bottom + SI_TICK_LEN + SI_TICK_GAP, buf,
                       FS, SI_BLACK, 0);
    }
    si_canvas_text(c, LEFT + PLOT_W / 2 - si_text_width(xlabel, FS) / 2,
                   bottom + SI_TICK_LEN + 2 * SI_TICK_GAP + SI_FONT_H * FS + 6, xlabel, FS,
                   SI_BLACK, 0);
}

static void legend(si_canvas *c, const si_curve *cv, int nc) {
    int w = 0;
    for (int k = 0; k < nc; k++) {
        const int tw = si_text_width(cv[k].label ? cv[k].label : "", FS);
        if (tw > w) w = tw;
    }
    const int row = SI_FONT_H * FS + 6, x = LEFT + PLOT_W - w - 50, y = TOP + 10;
    si_canvas_fill(c, x - 6, y - 4, w + 50, nc * row + 4, SI_WHITE);
    si_canvas_frame(c, x - 6, y - 4, w + 50, nc * row + 4, 0x808080u);
    for (int k = 0; k < nc; k++) {
        si_canvas_fill(c, x, y + k * row + SI_FONT_CAP * FS / 2 - 1, 28, 3, cv[k].rgb);
        si_canvas_text(c, x + 36, y + k * row, cv[k].label ? cv[k].label : "", FS, SI_BLACK, 0);
    }
}

si_err si_png_write_loss_curve(const char *path, const si_curve *curves, int ncurves,
                               const char *xlabel, const char *ylabel) {
    if (!path || !*path) return si_fail(SI_EINVAL, "loss curve: no output path");
    if (ncurves < 1 || ncurves > SI_CURVE_MAX || !curves)
        return si_fail(SI_EINVAL, "loss curve %s: need 1 to %d curves, got %d", path, SI_CURVE_MAX,
                       ncurves);
    frame f;
    if (!find_frame(curves, ncurves, &f))
        return si_fail(SI_EINVAL, "loss curve %s: no positive finite loss to plot", path);
    si_canvas c;
    si_err st = si_canvas_init(&c, PIC_W, PIC_H);
    if (st) return si_fail_prefix(st, "loss curve %s", path);
    y_axis(&c, &f, ylabel ? ylabel : "loss");
    x_axis(&c, &f, xlabel ? xlabel : "step");
    for (int k = 0; k < ncurves; k++) {
        const si_curve *cv = &curves[k];
        int have = 0, xp = 0, yp = 0, used = 0;
        for (int i = 0; i < cv->n; i++)
            used += usable(cv->x[i], cv->y[i]);
        for (int i = 0; i < cv->n; i++) {
            if (!usable(cv->x[i], cv->y[i])) {
                have = 0; /* a gap in the line */
                continue;
            }
            const int x = px_x(&f, cv->x[i]), y = px_y(&f, cv->y[i]);
            if (have) line(&c, xp, yp, x, y, cv->rgb);
            if (used <= 60) si_canvas_fill(&c, x - 3, y - 3, 7, 7, cv->rgb); /* sparse: dots */
            have = 1, xp = x, yp = y;
        }
    }
    si_canvas_frame(&c, LEFT, TOP, PLOT_W, PLOT_H, SI_BLACK);
    legend(&c, curves, ncurves);
    st = si_png_write_canvas(path, &c);
    si_canvas_free(&c);
    return st;
}
