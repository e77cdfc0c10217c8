/* One time step of one shot: psi_z in the top and bottom CPML strips, then
 * the grid in three bands of rows (top CPML, middle, bottom CPML); each band
 * kernel handles the x-CPML zones at both ends of its rows. */
#include <string.h>

#include "sim_internal.h"

static si_fd_fields fields_at(const si_sim *s, si_sim_work *w, float *next, const float *cur,
                              int r) {
    const ptrdiff_t o = s->g.origin + (ptrdiff_t)r * s->g.stride;
    si_fd_fields f = {
        .next = next + o,
        .cur = cur + o,
        .v2dt2 = s->v2dt2 + o,
        .psi_x = w->psi_x + o,
        .zeta_x = w->zeta_x + o,
        .psi_z = w->psi_z + o,
        .zeta_z = w->zeta_z + o,
        .ax = s->ax,
        .bx = s->bx,
        .az = s->az + r,
        .bz = s->bz + r,
        .stride = s->g.stride,
    };
    return f;
}

static void band(const si_sim *s, si_sim_work *w, float *next, const float *cur, int r0, int r1,
                 int zterms) {
    if (r1 <= r0) return;
    const si_sim_grid *g = &s->g;
    si_fd_fields f = fields_at(s, w, next, cur, r0);
    si_fd_band b = {.nrows = r1 - r0, .ncols = g->NX, .xl = g->xl, .xr = g->xr, .zterms = zterms};
    s->k->band(&s->st, &f, &b);
}

static void psi_z(const si_sim *s, si_sim_work *w, const float *cur, int r0, int r1) {
    if (r1 <= r0) return;
    const ptrdiff_t o = s->g.origin + (ptrdiff_t)r0 * s->g.stride;
    s->k->psi_z(&s->st, w->psi_z + o, cur + o, s->az + r0, s->bz + r0, s->g.stride, r1 - r0,
                s->g.NX);
}

void si_sim_step(const si_sim *s, si_sim_work *w, float *next, const float *cur) {
    const si_sim_grid *g = &s->g;
    /* psi_z only where a != 0 (it stays zero elsewhere); all of it before the
     * bands, which read its derivative across rows. */
    psi_z(s, w, cur, 0, g->top);
    psi_z(s, w, cur, g->NZ - g->pml, g->NZ);
    band(s, w, next, cur, 0, g->zt, 1);
    band(s, w, next, cur, g->zt, g->zb, 0);
    band(s, w, next, cur, g->zb, g->NZ, 1);
}

void si_sim_free_surface(const si_sim *s, float *p) {
    const si_sim_grid *g = &s->g;
    float *row0 = p + g->origin;
    memset(row0, 0, (size_t)g->NX * sizeof *row0);
    for (int k = 1; k <= g->half; k++) {
        float *above = row0 - k * g->stride;
        const float *below = row0 + k * g->stride;
        for (int c = 0; c < g->NX; c++)
            above[c] = -below[c];
    }
}
