/* seisinv — PNG pictures (libpng): velocity models with a colour bar in m/s
 * and axes in metres; shot gathers in grey. Written atomically. */
#ifndef SEISINV_PNG_H
#define SEISINV_PNG_H

#include "seisinv/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* vel [nz, nx] in m/s, grid spacing dx metres; colour range [vmin, vmax]. */
si_err si_png_write_velocity(const char *path, const float *vel, int nz, int nx, float dx,
                                float vmin, float vmax);

/* Shot gathers data [nshots, nt, nrec], drawn side by side in grey, clipped at
 * the 99th percentile of |amplitude|. */
si_err si_png_write_gathers(const char *path, const float *data, int nshots, int nt, int nrec);

#ifdef __cplusplus
}
#endif
#endif
