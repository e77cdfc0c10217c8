/* Simulator defaults (SeisInv geometry) and the checks on a configuration and
 * a velocity model. */
#include <math.h>
#include <string.h>

#include "core/error_internal.h"
#include "seisinv/sim.h"

/* round(num / den) with ties to even, as numpy's round; den > 0. Exact
 * rational arithmetic so linspace positions never depend on float rounding. */
static int round_ratio(long num, long den) {
    long q = num / den, r = num % den;
    if (r < 0) q--, r += den; /* floor */
    if (2 * r > den || (2 * r == den && (q & 1))) q++;
    return (int)q;
}

/* round(linspace(a, b, n))[k] */
static int linspace_round(int a, int b, int n, int k) {
    if (n <= 1) return a;
    return round_ratio((long)a * (n - 1) + (long)k * (b - a), n - 1);
}

void si_sim_network_receivers(int nx, int nrec, int *cols) {
    for (int k = 0; k < nrec; k++)
        cols[k] = linspace_round(0, nx - 1, nrec, k);
}

void si_sim_config_default(si_sim_config *cfg, int nz, int nx) {
    memset(cfg, 0, sizeof *cfg);
    cfg->nz = nz, cfg->nx = nx;
    cfg->dx = 10.0f, cfg->dt = 1e-3f, cfg->nt = 1000, cfg->f0 = 15.0f;
    cfg->order = 8, cfg->npml = 20, cfg->free_surface = 0, cfg->threads = 0;
    cfg->nsrc = 20, cfg->src_z = 1;
    for (int k = 0; k < cfg->nsrc; k++)
        cfg->src_x[k] = linspace_round(2, nx - 3, cfg->nsrc, k);
    cfg->nrec = nx < SI_SIM_MAX_RECS ? nx : SI_SIM_MAX_RECS, cfg->rec_z = 1;
    for (int k = 0; k < cfg->nrec; k++)
        cfg->rec_x[k] = k;
}

double si_sim_cfl_limit(int order) {
    switch (order) {
    case 2:
        return 0.707;
    case 4:
        return 0.612;
    case 8:
        return 0.555;
    }
    return 0.0;
}

#define SI_SIM_MAX_SIDE 65536
#define SI_SIM_MAX_CELLS (1L << 28)

si_err si_sim_check_config(const si_sim_config *c) {
    if (!c) return si_fail(SI_EINVAL, "simulation: no configuration given");
    if (c->nz < 2 || c->nx < 2 || c->nz > SI_SIM_MAX_SIDE || c->nx > SI_SIM_MAX_SIDE)
        return si_fail(SI_EINVAL, "grid %d x %d: each side must be in [2, %d]", c->nz, c->nx,
                       SI_SIM_MAX_SIDE);
    if ((long)(c->nz + 2 * c->npml) * (c->nx + 2 * c->npml) > SI_SIM_MAX_CELLS)
        return si_fail(SI_EINVAL, "grid %d x %d with %d CPML cells is too large (over %ld cells)",
                       c->nz, c->nx, c->npml, SI_SIM_MAX_CELLS);
    if (!(c->dx > 0) || !isfinite(c->dx))
        return si_fail(SI_EINVAL, "grid spacing dx = %g m must be a positive number", c->dx);
    if (!(c->dt > 0) || !isfinite(c->dt))
        return si_fail(SI_EINVAL, "time step dt = %g s must be a positive number", c->dt);
    if (c->nt < 1 || c->nt > 10000000)
        return si_fail(SI_EINVAL, "number of time samples nt = %d must be in [1, 10000000]", c->nt);
    if (!(c->f0 > 0) || !isfinite(c->f0))
        return si_fail(SI_EINVAL, "source peak frequency f0 = %g Hz must be a positive number",
                       c->f0);
    if (c->f0 * c->dt >= 0.5f)
        return si_fail(SI_EINVAL,
                       "source peak frequency f0 = %g Hz is at or above the Nyquist frequency "
                       "%g Hz of dt = %g s",
                       c->f0, 0.5 / c->dt, c->dt);
    if (si_sim_cfl_limit(c->order) == 0.0)
        return si_fail(SI_EINVAL, "spatial order %d is not supported (use 2, 4 or 8)", c->order);
    if (c->npml < 0 || c->npml > 1000)
        return si_fail(SI_EINVAL, "CPML thickness %d cells must be in [0, 1000]", c->npml);
    if (c->free_surface != 0 && c->free_surface != 1)
        return si_fail(SI_EINVAL, "free_surface must be 0 or 1, got %d", c->free_surface);
    if (c->threads < 0 || c->threads > 4096)
        return si_fail(SI_EINVAL, "threads = %d must be in [0, 4096] (0 = all cores)", c->threads);
    if (c->nsrc < 1 || c->nsrc > SI_SIM_MAX_SHOTS)
        return si_fail(SI_EINVAL, "number of sources %d must be in [1, %d]", c->nsrc,
                       SI_SIM_MAX_SHOTS);
    if (c->nrec < 1 || c->nrec > SI_SIM_MAX_RECS)
        return si_fail(SI_EINVAL, "number of receivers %d must be in [1, %d]", c->nrec,
                       SI_SIM_MAX_RECS);
    /* With a free surface p = 0 on row 0: a source or receiver there is silent. */
    int zmin = c->free_surface ? 1 : 0;
    const char *why = c->free_surface ? " (row 0 is the free surface, where p = 0)" : "";
    if (c->src_z < zmin || c->src_z >= c->nz)
        return si_fail(SI_EINVAL, "source depth row %d is outside rows %d..%d%s", c->src_z, zmin,
                       c->nz - 1, why);
    if (c->rec_z < zmin || c->rec_z >= c->nz)
        return si_fail(SI_EINVAL, "receiver depth row %d is outside rows %d..%d%s", c->rec_z, zmin,
                       c->nz - 1, why);
    for (int i = 0; i < c->nsrc; i++)
        if (c->src_x[i] < 0 || c->src_x[i] >= c->nx)
            return si_fail(SI_EINVAL, "source %d at column %d is outside columns 0..%d", i,
                           c->src_x[i], c->nx - 1);
    for (int i = 0; i < c->nrec; i++)
        if (c->rec_x[i] < 0 || c->rec_x[i] >= c->nx)
            return si_fail(SI_EINVAL, "receiver %d at column %d is outside columns 0..%d", i,
                           c->rec_x[i], c->nx - 1);
    return SI_OK;
}

#define SI_SIM_VMIN 100.0
#define SI_SIM_VMAX 10000.0

/* x rounded to 3 significant digits, down (up = 0) or up (up = 1), so a
 * suggested setting really satisfies the limit. */
static double round3(double x, int up) {
    double u = pow(10.0, floor(log10(x)) - 2);
    return (up ? ceil(x / u - 1e-9) : floor(x / u + 1e-9)) * u;
}

si_err si_sim_check_model(const si_sim_config *cfg, const float *vel, double *ppw) {
    si_err st = si_sim_check_config(cfg);
    if (st != SI_OK) return st;
    if (!vel) return si_fail(SI_EINVAL, "simulation: no velocity model given");
    double vmin = INFINITY, vmax = 0;
    for (int i = 0; i < cfg->nz; i++) {
        for (int j = 0; j < cfg->nx; j++) {
            float v = vel[(size_t)i * cfg->nx + j];
            if (!isfinite(v) || v < SI_SIM_VMIN || v > SI_SIM_VMAX)
                return si_fail(SI_EDATA,
                               "velocity %g m/s at row %d col %d is %s (velocities must be "
                               "finite, in [%g, %g] m/s)",
                               v, i, j,
                               !isfinite(v) ? "not a finite number"
                               : v <= 0     ? "not positive"
                                            : "out of range",
                               SI_SIM_VMIN, SI_SIM_VMAX);
            if (v < vmin) vmin = v;
            if (v > vmax) vmax = v;
        }
    }
    double courant = vmax * cfg->dt / cfg->dx, limit = si_sim_cfl_limit(cfg->order);
    /* A relative 1e-6 of slack: dt and dx arrive as floats, so a setting
     * printed as exactly on the limit must not be refused for its last bit. */
    if (courant > limit * (1 + 1e-6))
        return si_fail(SI_EUNSTABLE,
                       "unstable: v_max*dt/dx = %g m/s * %g s / %g m = %.4g exceeds the CFL "
                       "limit %.3f of order %d; use dt <= %.3g s or dx >= %.3g m",
                       vmax, (double)cfg->dt, (double)cfg->dx, courant, limit, cfg->order,
                       round3(limit * cfg->dx / vmax, 0), round3(vmax * cfg->dt / limit, 1));
    if (ppw) *ppw = vmin / (2.5 * cfg->f0 * cfg->dx);
    return SI_OK;
}
