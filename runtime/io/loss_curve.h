/* Internal: the training loss-curve picture (train and validation loss
 * against the optimiser step, log-scale loss axis) written as a PNG. */
#ifndef SI_LOSS_CURVE_H
#define SI_LOSS_CURVE_H

#include <stdint.h>

#include "seisinv/error.h"

typedef struct si_curve {
    const char *label;   /* legend text ("train", "val") */
    const double *x, *y; /* n points; y <= 0 or non-finite are left out */
    int n;
    uint32_t rgb; /* 0xRRGGBB */
} si_curve;

#define SI_CURVE_MAX 8

/* Draws the curves (lines through their points, a dot at each when sparse)
 * on shared axes: x linear (xlabel), y log10 (ylabel), decade ticks
 * labelled 1e-3 style, a legend; atomically to `path`. SI_EINVAL when no
 * curve has a positive finite point. */
si_err si_png_write_loss_curve(const char *path, const si_curve *curves, int ncurves,
                               const char *xlabel, const char *ylabel);

#endif
