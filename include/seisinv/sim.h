/* seisinv — 2-D acoustic finite-difference simulator (SPEC §2).
 *
 * p_tt = v^2 (p_xx + p_zz) + v^2 s(t) delta(x - x_s), second order in time,
 * space order 2/4/8, CPML (Pasalic & McGarry 2010) on all sides, optional free
 * surface on top, Ricker source injected OpenFWI-style (adds v^2 dt^2 s(t_n) to
 * p at the source cell when stepping n -> n+1), receivers record p at step n
 * as time n*dt. Grid indices: z = row (depth), x = column. */
#ifndef SEISINV_SIM_H
#define SEISINV_SIM_H

#include <stddef.h>

#include "seisinv/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SI_SIM_MAX_SHOTS 1024
#define SI_SIM_MAX_RECS 8192

typedef struct si_sim_config {
    int nz, nx;       /* model grid: rows (depth) x columns */
    float dx;         /* grid spacing in metres (dz = dx), default 10 */
    float dt;         /* time step in seconds, default 1e-3 */
    int nt;           /* time samples recorded, default 1000 */
    float f0;         /* Ricker peak frequency in Hz, default 15 */
    int order;        /* spatial order 2, 4 or 8, default 8 */
    int npml;         /* CPML thickness in cells, default 20 */
    int free_surface; /* 1: p = 0 on the top row, no PML on top */
    int threads;      /* shots run in parallel; 0 = all cores */
    int nsrc, src_z;  /* sources at (src_z, src_x[i]) */
    int src_x[SI_SIM_MAX_SHOTS];
    int nrec, rec_z; /* receivers at (rec_z, rec_x[i]) */
    int rec_x[SI_SIM_MAX_RECS];
} si_sim_config;

/* SeisInv defaults for an nz x nx grid: dx 10 m, dt 1 ms, nt 1000, f0 15 Hz,
 * order 8, 20-cell CPML, no free surface, 20 sources at
 * round(linspace(2, nx-3, 20)) on row 1 (columns 2, 7, ..., 97 for nx = 100),
 * a receiver at every column of row 1. */
void si_sim_config_default(si_sim_config *cfg, int nz, int nx);

/* The 32 receiver columns the network sees: round(linspace(0, nx-1, nrec)). */
void si_sim_network_receivers(int nx, int nrec, int *cols);

/* 2-D CFL limit of v_max*dt/dx for a spatial order (0.707, 0.612, 0.555). */
double si_sim_cfl_limit(int order);

/* Checks a configuration without a model: sizes, order, geometry inside the
 * grid, positive dx/dt/f0. */
si_err si_sim_check_config(const si_sim_config *cfg);

/* Checks a velocity model against the configuration: every value finite and in
 * [100, 10000] m/s, and v_max*dt/dx under the CFL limit (SI_EUNSTABLE).
 * Sets *ppw to the points per minimum wavelength v_min/(2.5 f0 dx) so the
 * caller can warn when it is below 4. */
si_err si_sim_check_model(const si_sim_config *cfg, const float *vel, double *ppw);

/* A simulator planned for one configuration: owns per-thread wavefields and
 * can run many models (the dataset generator reuses one). */
typedef struct si_sim si_sim;

si_err si_sim_create(si_sim **sim, const si_sim_config *cfg);

/* Runs every shot over vel [nz, nx] (m/s, row-major) and writes the gathers to
 * out [nsrc, nt, nrec] (the SeisInv/OpenFWI single-survey layout). */
si_err si_sim_run(si_sim *sim, const float *vel, float *out);

void si_sim_free(si_sim *sim);

/* One-call convenience: create, run, free. */
si_err si_simulate(const si_sim_config *cfg, const float *vel, float *out);

/* Ricker wavelet at time t: (1 - 2 pi^2 f0^2 (t-t0)^2) exp(-pi^2 f0^2 (t-t0)^2), t0 = 1/f0. */
double si_ricker(double t, double f0);

#ifdef __cplusplus
}
#endif
#endif
