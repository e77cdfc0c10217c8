/* Plot axes for pictures: "nice" tick values (1, 2 or 5 times a power of
 * ten) and tick marks with number labels drawn along a frame edge. */
#ifndef SI_AXIS_H
#define SI_AXIS_H

#include <stddef.h>

#include "canvas.h"

typedef struct si_ticks {
    double first, step; /* tick i is at first + i * step */
    int n;              /* number of ticks inside [lo, hi] */
    int decimals;       /* digits after the point the labels need */
} si_ticks;

/* At most target + 1 ticks inside [lo, hi] (lo < hi); target is taken
 * between 2 and 10. */
si_ticks si_ticks_nice(double lo, double hi, int target);

/* Label of tick i ("1500", "0.25"). */
void si_ticks_label(const si_ticks *t, int i, char *buf, size_t len);

/* Width in pixels of the widest label. */
int si_ticks_max_width(const si_ticks *t, int scale);

typedef enum si_side { SI_SIDE_LEFT, SI_SIDE_RIGHT, SI_SIDE_TOP } si_side;

#define SI_TICK_LEN 5 /* tick mark length, pixels */
#define SI_TICK_GAP 4 /* between tick mark and label */

/* Draws tick marks pointing outward from the frame line at `edge` (a column
 * for LEFT/RIGHT, a row for TOP), with labels beyond them. The axis runs
 * over pixels [p0, p0 + len) with value a at p0 and b at p0 + len. */
void si_axis_draw(si_canvas *c, const si_ticks *t, si_side side, int edge, int p0, int len,
                  double a, double b, int scale);

#endif
