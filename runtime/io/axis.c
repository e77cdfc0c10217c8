/* Tick selection and drawing for picture axes. */
#include "axis.h"

#include <math.h>
#include <stdio.h>

#include "font5x7.h"

si_ticks si_ticks_nice(double lo, double hi, int target) {
    si_ticks t = {lo, 1.0, 1, 0};
    if (!(hi > lo)) return t;
    if (target < 2) target = 2;
    if (target > 10) target = 10; /* more ticks only clutter a long axis */
    double raw = (hi - lo) / target;
    double p = pow(10.0, floor(log10(raw)));
    double f = raw / p;
    /* Round up, never down, to 1, 2, 2.5 or 5 (x 10^k): at most target + 1
     * ticks, so labels on a short axis do not run into each other. */
    t.step = (f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 2.5 ? 2.5 : f <= 5.0 ? 5.0 : 10.0) * p;
    double eps = t.step * 1e-9;
    t.first = ceil((lo - eps) / t.step) * t.step;
    t.n = (int)floor((hi + eps - t.first) / t.step) + 1;
    if (t.n < 1) t.n = 1;
    /* Fewest decimals that print the step exactly (0.25 needs two). */
    t.decimals = 0;
    for (double m = t.step; t.decimals < 9 && fabs(m - nearbyint(m)) > 1e-6 * m; m *= 10.0)
        t.decimals++;
    return t;
}

void si_ticks_label(const si_ticks *t, int i, char *buf, size_t len) {
    double v = t->first + i * t->step;
    if (fabs(v) < t->step * 1e-6) v = 0.0; /* no "-0" */
    snprintf(buf, len, "%.*f", t->decimals, v);
}

int si_ticks_max_width(const si_ticks *t, int scale) {
    int w = 0;
    char buf[64];
    for (int i = 0; i < t->n; i++) {
        si_ticks_label(t, i, buf, sizeof buf);
        int tw = si_text_width(buf, scale);
        if (tw > w) w = tw;
    }
    return w;
}

void si_axis_draw(si_canvas *c, const si_ticks *t, si_side side, int edge, int p0, int len,
                  double a, double b, int scale) {
    char buf[64];
    int cap = SI_FONT_CAP * scale;
    for (int i = 0; i < t->n; i++) {
        double v = t->first + i * t->step;
        int pos = p0 + (int)lround((v - a) / (b - a) * len);
        /* The far end lands on the frame line; keep the mark on the frame. */
        if (pos > p0 + len) pos = p0 + len;
        si_ticks_label(t, i, buf, sizeof buf);
        int tw = si_text_width(buf, scale);
        switch (side) {
        case SI_SIDE_LEFT:
            si_canvas_fill(c, edge - SI_TICK_LEN, pos, SI_TICK_LEN, 1, SI_BLACK);
            si_canvas_text(c, edge - SI_TICK_LEN - SI_TICK_GAP - tw, pos - cap / 2, buf, scale,
                           SI_BLACK, 0);
            break;
        case SI_SIDE_RIGHT:
            si_canvas_fill(c, edge + 1, pos, SI_TICK_LEN, 1, SI_BLACK);
            si_canvas_text(c, edge + 1 + SI_TICK_LEN + SI_TICK_GAP, pos - cap / 2, buf, scale,
                           SI_BLACK, 0);
            break;
        case SI_SIDE_TOP:
            si_canvas_fill(c, pos, edge - SI_TICK_LEN, 1, SI_TICK_LEN, SI_BLACK);
            si_canvas_text(c, pos - tw / 2, edge - SI_TICK_LEN - SI_TICK_GAP - cap, buf, scale,
                           SI_BLACK, 0);
            break;
        }
    }
}
