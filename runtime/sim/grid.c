/* The computed grid's memory plan and the velocity field on it. */
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

static int round_up(int v, int m) {
    return (v + m - 1) / m * m;
}
static int round_down(int v, int m) {
    return v / m * m;
}

void si_sim_grid_plan(si_sim_grid *g, const si_sim_config *cfg, int align) {
    const int lead = 16; /* floats before column 0: a 64-byte aligned origin, room for the halo */
    memset(g, 0, sizeof *g);
    g->nz = cfg->nz, g->nx = cfg->nx;
    g->pml = cfg->npml;
    g->top = cfg->free_surface ? 0 : cfg->npml;
    g->NZ = g->nz + g->top + g->pml;
    g->NX = g->nx + 2 * g->pml;
    g->half = cfg->order / 2;
    /* Row: lead, NX cells, then at least 16 floats plus the halo. Vector
     * loads reach at most 32 floats past a row's last cell (fd.h): the rest
     * falls in the next row's lead, or for the last row in the halo rows. */
    g->stride = round_up(lead + g->NX + 16 + g->half, 16);
    g->origin = (ptrdiff_t)g->half * g->stride + lead;
    /* Halo rows above and below, plus one guard row. */
    g->field_floats = (size_t)(g->NZ + 2 * g->half + 1) * (size_t)g->stride;

    int a = align > 1 ? align : 1;
    if (g->pml > 0) {
        g->xl = round_up(g->pml + g->half, a);
        g->xr = round_down(g->NX - g->pml - g->half, a);
        /* Zones that would meet become one zone over the whole row: the
         * kernels take psi_x as zero just outside a zone. */
        if (g->xr <= g->xl) g->xl = g->xr = g->NX;
    } else {
        g->xl = 0, g->xr = g->NX;
    }
    g->zt = g->top > 0 ? g->top + g->half : 0;
    if (g->zt > g->NZ) g->zt = g->NZ;
    g->zb = g->pml > 0 ? g->NZ - g->pml - g->half : g->NZ;
    if (g->zb < g->zt) g->zb = g->zt;
}

float *si_sim_fields_alloc(const si_sim_grid *g, int count) {
    size_t bytes = g->field_floats * sizeof(float) * (size_t)count;
    bytes = (bytes + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

void si_sim_fill_velocity(const si_sim_grid *g, const float *vel, double dt, float *v2dt2,
                          double *vmin, double *vmax) {
    double lo = vel[0], hi = vel[0];
    for (int r = 0; r < g->NZ; r++) {
        int i = r - g->top;
        i = i < 0 ? 0 : i >= g->nz ? g->nz - 1 : i;
        float *row = v2dt2 + g->origin + (ptrdiff_t)r * g->stride;
        for (int c = 0; c < g->NX; c++) {
            int j = c - g->pml;
            j = j < 0 ? 0 : j >= g->nx ? g->nx - 1 : j;
            double v = vel[(size_t)i * g->nx + j];
            row[c] = (float)(v * v * dt * dt);
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
    }
    *vmin = lo, *vmax = hi;
}
