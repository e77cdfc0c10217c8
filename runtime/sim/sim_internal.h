/* Internal: the simulator's grid plan, workspaces and hooks used by the tests
 * and benchmarks. */
#ifndef SI_SIM_INTERNAL_H
#define SI_SIM_INTERNAL_H

#include <stddef.h>

#include "fd/fd.h"
#include "seisinv/sim.h"

/* The computed grid: the model plus CPML, stored with a zero halo and row
 * padding (see kernels/fd/fd.h). Cell (r, c) of the computed grid is at
 * origin + r * stride + c in every field; model cell (i, j) is computed cell
 * (i + top, j + pml). */
typedef struct si_sim_grid {
    int nz, nx;       /* model */
    int top, pml;     /* CPML rows above the model (0 with a free surface); cells on other sides */
    int NZ, NX;       /* computed grid */
    int half;         /* stencil half-width = halo width */
    ptrdiff_t stride; /* floats per row, a multiple of 16 */
    ptrdiff_t origin; /* offset of computed cell (0, 0): 64-byte aligned */
    size_t field_floats; /* floats per field */
    /* Zones: columns [0, xl) and [xr, NX) carry x CPML terms, rows [0, zt) and
     * [zb, NZ) z terms (each the CPML plus the stencil reach); the rest takes
     * the lean interior kernel. xl and xr sit on multiples of the kernel
     * table's `align` so the interior's vector loads stay aligned. */
    int xl, xr, zt, zb;
} si_sim_grid;

void si_sim_grid_plan(si_sim_grid *g, const si_sim_config *cfg, int align);

/* Aligned, zeroed storage for `count` fields of the plan (NULL if out of memory). */
float *si_sim_fields_alloc(const si_sim_grid *g, int count);

/* v^2 dt^2 on the computed grid, the model extended into the CPML by edge
 * copy; the halo stays zero. Returns v_min and v_max of the model. */
void si_sim_fill_velocity(const si_sim_grid *g, const float *vel, double dt, float *v2dt2,
                          double *vmin, double *vmax);

/* CPML coefficients a, b for an axis of n cells with `lo` CPML cells at its
 * start and `hi` at its end (a = b = 0 elsewhere), after Pasalic & McGarry
 * 2010 with d(x) = d0 (x/L)^2, alpha = pi f0 (1 - x/L), kappa = 1. */
void si_sim_cpml_profile(float *a, float *b, int n, int lo, int hi, double dx, double dt,
                         double vmax, double f0, double reflection);

#define SI_SIM_CPML_R 1e-3

/* One thread's wavefields: two pressure fields swapped each step and the
 * CPML memory variables. */
typedef struct si_sim_work {
    float *mem;
    float *p[2], *psi_x, *zeta_x, *psi_z, *zeta_z;
} si_sim_work;

struct si_sim {
    si_sim_config cfg;
    si_sim_grid g;
    si_fd_stencil st;
    const si_fd_kernels *k;
    int nthreads;
    float *v2dt2;                 /* field, shared read-only by the threads */
    float *ax, *bx, *az, *bz;     /* CPML profiles, zero-padded */
    float *wavelet;               /* s(n dt), n < nt */
    ptrdiff_t *src_off, *rec_off; /* cell offsets from the origin */
    si_sim_work *work;            /* [nthreads] */
};

/* One time step of the kernels: next (holding p^{n-1}) becomes p^{n+1}. */
void si_sim_step(const si_sim *s, si_sim_work *w, float *next, const float *cur);

/* Free surface: p = 0 on model row 0, antisymmetric mirror in the halo above. */
void si_sim_free_surface(const si_sim *s, float *p);

/* Runs one shot on workspace w (the model must already be loaded). traces
 * [nt, nrec] and energy [nt] (sum of p^2 over the model cells at each step)
 * may each be NULL. */
void si_sim_run_shot(const si_sim *s, si_sim_work *w, int shot, float *traces, double *energy);

/* Tests and benchmarks: a simulator on a chosen ISA (SI_EINVAL if this CPU
 * lacks it); the table actually used is the best one the fd family has at or
 * below it, see si_sim_isa. */
si_err si_sim_create_isa(si_sim **sim, const si_sim_config *cfg, si_isa isa);
si_isa si_sim_isa(const si_sim *sim);

/* Tests: checks and loads vel, then runs one shot recording the energy. */
si_err si_sim_shot_energy(si_sim *sim, const float *vel, int shot, float *traces, double *energy);

#endif
