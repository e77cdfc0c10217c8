/* Scalar reference FD kernels: one cell at a time, written to be read. The
 * vector kernels must agree with these to float rounding (tests/test_sim_isa). */
#include "fd.h"

/* Second derivative along the axis whose neighbour is `step` floats away. */
static float d2(const si_fd_stencil *st, const float *p, ptrdiff_t step) {
    float s = st->w0 * p[0];
    for (int k = 1; k <= st->half; k++)
        s += st->w[k - 1] * (p[k * step] + p[-k * step]);
    return s;
}

/* Centred first derivative along the same kind of axis. */
static float d1(const si_fd_stencil *st, const float *f, ptrdiff_t step) {
    float s = 0.0f;
    for (int k = 1; k <= st->half; k++)
        s += st->g[k - 1] * (f[k * step] - f[-k * step]);
    return s;
}

/* Cell (r, c): the wave equation step with the CPML terms of direction x
 * and/or z (X and Z in fd.h) where asked. */
static void cell(const si_fd_stencil *st, const si_fd_fields *f, int r, int c, int xterms,
                 int zterms) {
    const ptrdiff_t s = f->stride, i = r * s + c;
    const float *p = f->cur + i;
    float x = d2(st, p, 1), z = d2(st, p, s);
    if (xterms) {
        x += d1(st, f->psi_x + i, 1);
        f->zeta_x[i] = f->bx[c] * f->zeta_x[i] + f->ax[c] * x;
        x += f->zeta_x[i];
    }
    if (zterms) {
        z += d1(st, f->psi_z + i, s);
        f->zeta_z[i] = f->bz[r] * f->zeta_z[i] + f->az[r] * z;
        z += f->zeta_z[i];
    }
    f->next[i] = 2.0f * p[0] - f->next[i] + f->v2dt2[i] * (x + z);
}

static void band_scalar(const si_fd_stencil *st, const si_fd_fields *f, const si_fd_band *b) {
    const ptrdiff_t s = f->stride;
    for (int r = 0; r < b->nrows; r++) {
        /* psi_x of this row first: the cells below read its neighbours. */
        for (int c = 0; c < b->ncols; c++) {
            if (c >= b->xl && c < b->xr) continue;
            ptrdiff_t i = r * s + c;
            f->psi_x[i] = f->bx[c] * f->psi_x[i] + f->ax[c] * d1(st, f->cur + i, 1);
        }
        for (int c = 0; c < b->ncols; c++)
            cell(st, f, r, c, c < b->xl || c >= b->xr, b->zterms);
    }
}

static void psi_z_scalar(const si_fd_stencil *st, float *psi, const float *p, const float *a,
                         const float *b, ptrdiff_t stride, int nrows, int ncols) {
    for (int r = 0; r < nrows; r++)
        for (int c = 0; c < ncols; c++) {
            ptrdiff_t i = r * stride + c;
            psi[i] = b[r] * psi[i] + a[r] * d1(st, p + i, stride);
        }
}

const si_fd_kernels si_fd_kernels_scalar = {
    .isa = SI_ISA_SCALAR, .align = 1, .band = band_scalar, .psi_z = psi_z_scalar};
