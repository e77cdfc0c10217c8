/* seisinv — PNG pictures (libpng): velocity models with a colour bar in m/s
 * and axes in metres; shot gathers in grey. Written atomically. */
#ifndef SEISINV_PNG_H
#define SEISINV_PNG_H

#include "seisinv/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* vel [nz, nx] in m/s, grid spacing dx metres; colour range [vmin, vmax]
 * (viridis; values outside are clamped; vmin == vmax draws mid-scale).
 * Small models are zoomed to at least 400 px wide, big ones subsampled to
 * 2000 px. Non-finite velocities are an SI_EDATA error naming the cell. */
si_err si_png_write_velocity(const char *path, const float *vel, int nz, int nx, float dx,
                                float vmin, float vmax);

/* Shot gathers data [nshots, nt, nrec], drawn side by side in grey, clipped at
 * the 99th percentile of |amplitude| (positive dark, zero mid-grey). Shots are
 * labelled by their index from 0; more than 2000 time samples are decimated,
 * each row keeping its largest-|amplitude| sample. */
si_err si_png_write_gathers(const char *path, const float *data, int nshots, int nt, int nrec);

#ifdef __cplusplus
}
#endif
#endif
